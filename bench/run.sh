#!/usr/bin/env bash
# The benchmarks of issue 14, in one run, printed as one table with ratios and targets:
#   - the list, a deep page, a search and "the default is the last row" driven by wrk, each right after the floor
#     (the app's own authenticated GET /, which passes the same middleware and sign-in check and answers a redirect);
#   - a send through the default server against bare MailKit to the same in-process SMTP peer (BenchmarkDotNet);
#   - the first send of a fresh process, cold start against an empty `dotnet new webapp`, and peak memory.
# The app runs as published (Release) in the Production environment, over HTTPS on 127.0.0.1 with a throw-away
# self-signed certificate: outside Development the app's cookies are Secure-only and antiforgery refuses plain HTTP,
# so signing in over http:// is not possible there.
#
# Usage: bench/run.sh [--quick] [--keep]     (--quick: shorter runs, for checking the bench itself; --keep: keep the work folder)
# Never part of the test suite. A full run takes about 8 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"

quick=0
keep=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    --keep) keep=1 ;;
    *) echo "usage: bench/run.sh [--quick] [--keep]" >&2; exit 2 ;;
  esac
done
duration=10; warmup=3; runs=5; first_sends=5
if [ "$quick" = 1 ]; then duration=3; warmup=1; runs=2; first_sends=2; fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
work="$(mktemp -d /tmp/mailserveradmin-bench.XXXXXX)"
results="$work/results.txt"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "$keep" = 1 ]; then echo "work folder kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
step() { printf '\n== %s\n' "$*" >&2; }
record() { echo "$1=$2" >> "$results"; }

if ! command -v wrk >/dev/null; then
  step "installing wrk"
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wrk >/dev/null
fi

step "building (Release): the app, the bench tool, an empty webapp"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
dotnet publish src/MailServerAdmin.Web -c Release -o "$work/app" -v quiet --nologo
dotnet build bench/MailServerAdmin.Bench -c Release -o "$work/tool" -v quiet --nologo
(cd "$work" && dotnet new webapp -n EmptyWeb -o empty >/dev/null && dotnet publish empty -c Release -o "$work/emptyapp" -v quiet --nologo)
tool() { dotnet "$work/tool/MailServerAdmin.Bench.dll" "$@"; }

smtp_port="$(tool free-port)"
step "seeding 100, 10,000 and 100,000 servers"
for n in 100 10000 100000; do tool seed "$work/d$n" "$n" "$smtp_port"; done

app_env() { # data-dir port
  export ASPNETCORE_ENVIRONMENT=Production
  export ConnectionStrings__MailServerAdmin="Data Source=$1/mailserveradmin.db"
  export DataProtection__KeysDirectory="$1/keys"
  export Kestrel__Endpoints__Https__Url="https://127.0.0.1:$2"
  export Kestrel__Endpoints__Https__Certificate__Path="$work/cert.pem"
  export Kestrel__Endpoints__Https__Certificate__KeyPath="$work/key.pem"
  export OAuth__RefreshCheckMinutes=0   # the seeded tokens are fake: no calls to real providers
}
app_pid=""
start_app() { # data-dir port
  app_env "$1" "$2"
  # From its own folder, as deployed (docs/deployment.md): that is its content root, with its appsettings.json (log levels
  # included) and wwwroot.
  (cd "$work/app" && exec dotnet MailServerAdmin.Web.dll) > "$1/app.log" 2>&1 &
  app_pid=$!
  pids+=("$app_pid")
  for _ in $(seq 1 600); do
    curl -sk -o /dev/null "https://127.0.0.1:$2/Account/Login" && return 0
    sleep 0.1
  done
  echo "the app did not start; its log:" >&2; cat "$1/app.log" >&2; exit 1
}
stop_app() { kill "$app_pid"; wait "$app_pid" 2>/dev/null || true; }

cookie=""
load() { # key url: requests per second, p50 and page size into the results
  local out="$work/wrk-$1.txt"
  wrk -t1 -c4 -d"${duration}s" --latency -H "Cookie: $cookie" "$2" > "$out"
  local rps p50 kb
  rps="$(awk '/^Requests\/sec:/ { print $2 }' "$out")"
  p50="$(awk '$1 == "50%" { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } print v }' "$out")"
  kb="$(curl -sk -H "Cookie: $cookie" "$2" | wc -c | awk '{ printf "%.1f", $1 / 1024 }')"
  if grep -q "Non-2xx" "$out"; then record "note_$1" "$(grep Non-2xx "$out")"; fi
  record "$1" "$rps"; record "$1_p50" "$p50"; record "$1_kb" "$kb"
  printf '%-14s %10s req/s  p50 %s ms  %s KB\n' "$1" "$rps" "$p50" "$kb" >&2
}
warm() { for url in "$@"; do wrk -t1 -c4 -d"${warmup}s" -H "Cookie: $cookie" "$url" > /dev/null; done; }
sign_in() { cookie="$(tool signin "https://127.0.0.1:$1" "$work/cert.pem")"; }
next_link() { # the app's own link to the page after the one at $1
  curl -sk -H "Cookie: $cookie" "$1" | python3 -c '
import html, re, sys
m = re.search(r"<a\b[^>]*\brel=\"next\"[^>]*>", sys.stdin.read())
print(html.unescape(re.search(r"href=\"([^\"]*)\"", m.group(0)).group(1)))'
}

port="$(tool free-port)"
base="https://127.0.0.1:$port"
for n in 100 10000; do
  key="$([ "$n" = 100 ] && echo 100 || echo 10k)"
  step "list at $n servers (wrk ${duration}s each, floor first)"
  start_app "$work/d$n" "$port"; sign_in "$port"
  warm "$base/" "$base/MailServers"
  load "floor_$key" "$base/"
  load "list_$key" "$base/MailServers"
  stop_app
done

step "100,000 servers: page 1, page 2,000, a search, the default as the last row"
start_app "$work/d100000" "$port"; sign_in "$port"
deep="$base$(next_link "$base/MailServers?p=1999")"
echo "page 2,000: $deep" >&2
search="$base/MailServers?q=zephyr"
warm "$base/" "$base/MailServers" "$deep" "$search"
load floor_100k_a "$base/"; load list_100k "$base/MailServers"
load floor_100k_b "$base/"; load deep_100k "$deep"
load floor_100k_c "$base/"; load search_100k "$search"
tool default-last "$work/d100000"
warm "$base/MailServers"
load floor_100k_d "$base/"; load deflast_100k "$base/MailServers"
record vmhwm_app_kb "$(awk '/^VmHWM:/ { print $2 }' "/proc/$app_pid/status")"
cookie_100k="$cookie"
stop_app

step "cold start to the first answer ($runs runs each, after one uncounted)"
app_env "$work/d100000" "$port"
out="$(tool start-up "$runs" "$base/MailServers" "$cookie_100k" "$work/cert.pem" "$work/app" dotnet "$work/app/MailServerAdmin.Web.dll")"
echo "app:   $out" >&2
record start_app_ms "$(sed -E 's/.*start_ms=([0-9.]+).*/\1/' <<< "$out")"
out="$(tool start-up "$runs" "$base/" - "$work/cert.pem" "$work/emptyapp" dotnet "$work/emptyapp/EmptyWeb.dll")"
echo "empty: $out" >&2
record start_empty_ms "$(sed -E 's/.*start_ms=([0-9.]+).*/\1/' <<< "$out")"
record vmhwm_empty_kb "$(sed -E 's/.*vmhwm_kb=([0-9.]+).*/\1/' <<< "$out")"

step "the GC and ReadyToRun choices: cold start, and req/s and peak memory of the list at 100,000, per variant"
# Variants by environment on the same published app: DOTNET_gcServer/gcConcurrent override the project's GC choice,
# DOTNET_ReadyToRun=0 makes the runtime ignore the precompiled code (as a publish without ReadyToRun).
for variant in "published:" "workstation-gc:DOTNET_gcServer=0 DOTNET_gcConcurrent=0" "jit-only:DOTNET_ReadyToRun=0"; do
  name="${variant%%:*}"; vars="${variant#*:}"
  out="$(env $vars dotnet "$work/tool/MailServerAdmin.Bench.dll" start-up "$runs" "$base/MailServers" "$cookie_100k" "$work/cert.pem" "$work/app" dotnet "$work/app/MailServerAdmin.Web.dll")"
  record "choice_${name}_start_ms" "$(sed -E 's/.*start_ms=([0-9.]+).*/\1/' <<< "$out")"
  for v in $vars; do export "${v?}"; done
  start_app "$work/d100000" "$port"
  for v in $vars; do unset "${v%%=*}"; done
  cookie="$cookie_100k"
  warm "$base/MailServers"
  load "choice_${name}" "$base/MailServers"
  record "choice_${name}_vmhwm_kb" "$(awk '/^VmHWM:/ { print $2 }' "/proc/$app_pid/status")"
  stop_app
done

step "first send of a fresh process ($first_sends runs each)"
dotnet "$work/tool/MailServerAdmin.Bench.dll" smtp-peer "$smtp_port" 300 > /dev/null &   # not through tool(): $! is then the peer
pids+=("$!")
sleep 1
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
for mode in app bare; do
  : > "$work/first-$mode.txt"
  for _ in $(seq 1 "$first_sends"); do tool first-send "$mode" "$work/d100" "$smtp_port" >> "$work/first-$mode.txt"; done
  ms="$(sed -nE 's/^first_send_ms=//p' "$work/first-$mode.txt" | median)"
  record "first_send_${mode}_ms" "$ms"
  echo "first send, $mode: $ms ms" >&2
done
# The app's first send is timed after its host has started (as an application sends); the start is told beside it.
start_ms="$(sed -nE 's/^first_send_start_ms=//p' "$work/first-app.txt" | median)"
record "first_send_start_ms" "$start_ms"
echo "host start before the app's first send: $start_ms ms" >&2

step "steady sending: MailDelivery vs bare MailKit (BenchmarkDotNet, in process)"
cp -r "$work/d100" "$work/dsend"
tool send "$work/dsend" $([ "$quick" = 1 ] && echo --quick) | tee "$work/send.txt" | grep -E '^\|' >&2 || true
grep -E '^send_' "$work/send.txt" >> "$results"

step "results ($(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo), $(dotnet --version) SDK$([ "$quick" = 1 ] && echo ', --quick'))"
tool report "$results"
