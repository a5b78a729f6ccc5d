#!/usr/bin/env bash
# The one test command: installs what the tests need when it is missing, runs every test project of the solution,
# and ends with one line adding up the results of all of them: "N passed, N failed, N skipped".
# Exits non-zero when a test failed or the tests could not run.
#
#   ./test.sh                                     # everything (about 3 minutes with the browser tests)
#   ./test.sh --filter "FullyQualifiedName~Sending"  # arguments go to dotnet test
#
# What it installs (Debian packages, with apt-get; through sudo when not run as root), only when missing:
#   python3-aiosmtpd  the SMTP test peer (tests/MailServerAdmin.Tests/Infrastructure/Smtp/smtp_peer.py);
#                     not when SMTP_PEER_PYTHON names another Python
#   chromium          the browser tests (tests/MailServerAdmin.BrowserTests); not when CHROMIUM_PATH is set
# Where CI is set, the tests that need them fail instead of being skipped when they are missing.
set -euo pipefail
cd "$(dirname "$0")"

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1

missing_packages=()

need_package() {
  missing_packages+=("$1")
}

install_missing() {
  local python="${SMTP_PEER_PYTHON:-/usr/bin/python3}"
  if ! "$python" -c 'import ssl, aiosmtpd.smtp' 2>/dev/null; then
    if [ -n "${SMTP_PEER_PYTHON:-}" ]; then
      echo "test.sh: SMTP_PEER_PYTHON=$SMTP_PEER_PYTHON cannot import aiosmtpd; the SMTP tests will say so." >&2
    else
      need_package python3-aiosmtpd
    fi
  fi

  if [ -z "${CHROMIUM_PATH:-}" ] && [ ! -x /usr/bin/chromium ]; then
    need_package chromium
  fi

  if [ "${#missing_packages[@]}" -eq 0 ]; then
    return
  fi

  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null; then
      echo "test.sh: missing ${missing_packages[*]}; install them as root (apt-get install -y ${missing_packages[*]})." >&2
      return
    fi
    sudo="sudo"
  fi

  if ! command -v apt-get >/dev/null; then
    echo "test.sh: missing ${missing_packages[*]} and there is no apt-get here; install them yourself." >&2
    return
  fi

  echo "test.sh: installing ${missing_packages[*]}"
  # Only when something must be installed: the package lists are read once, then the packages installed.
  if ! { $sudo apt-get update -q && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing_packages[@]}"; }; then
    echo "test.sh: could not install ${missing_packages[*]}; the tests that need them will say so." >&2
  fi
}

# ---------------------------------------------------------------------------------------------------------------------
# PostgreSQL: installed from Debian's packages when missing, started, with a test role (scripts/postgres-for-tests.sh);
# the tests then run a second time against it (each test app in a database of its own), and the closing line adds up
# both runs.
prepare_postgres() {
  MAILSERVERADMIN_TEST_POSTGRES="$(scripts/postgres-for-tests.sh)"
  export MAILSERVERADMIN_TEST_POSTGRES
}
# ---------------------------------------------------------------------------------------------------------------------

passed=0
failed=0
skipped=0
status=0

# run_suite LABEL TARGET [dotnet test arguments...]: runs the tests of TARGET (the solution, or a test project) and adds
# their per-project summaries to the totals.
run_suite() {
  local label="$1"
  local target="$2"
  shift 2
  local log
  log="$(mktemp)"
  echo "test.sh: running the tests ($label)"
  local code=0
  dotnet test "$target" "$@" 2>&1 | tee "$log" || code=$?
  local counts
  counts="$( { grep -hoE 'Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+' "$log" || true; } \
    | awk -F'[:,] +' '{ f += $2; p += $4; s += $6 } END { printf "%d %d %d", p, f, s }')"
  rm -f "$log"
  local p f s
  read -r p f s <<<"$counts"
  passed=$((passed + p))
  failed=$((failed + f))
  skipped=$((skipped + s))
  if [ "$code" -ne 0 ]; then
    status=1
    if [ "$f" -eq 0 ]; then
      echo "test.sh: dotnet test failed ($label, exit code $code) without a failed test: see the build output above." >&2
    fi
  fi
}

install_missing
prepare_postgres
# Tests of one database only carry the trait Database=Sqlite or Database=Postgres: each run leaves out the other's, so
# every test runs (none is skipped) and the PostgreSQL-only tests run where PostgreSQL is the database.
# Arguments (a filter of your own, say) replace those filters.
sqlite_args=(--filter "Database!=Postgres")
postgres_args=(--filter "Database!=Sqlite")
if [ "$#" -gt 0 ]; then
  sqlite_args=("$@")
  postgres_args=("$@")
fi
run_suite "SQLite" MailServerAdmin.sln "${sqlite_args[@]}"
# The database tests again on PostgreSQL (the browser tests run once, on SQLite).
MAILSERVERADMIN_TEST_DATABASE=Postgres run_suite "PostgreSQL" tests/MailServerAdmin.Tests "${postgres_args[@]}"

if [ "$failed" -gt 0 ]; then
  status=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
