#!/usr/bin/env bash
# PostgreSQL for the test suite, on this machine. Idempotent: installs Debian's PostgreSQL when it is missing, starts its
# cluster, creates (or updates) a test role that may create databases, and prints the connection string base that the
# tests take in MAILSERVERADMIN_TEST_POSTGRES (each test app creates its own database with it and drops it afterwards):
#
#   export MAILSERVERADMIN_TEST_POSTGRES="$(scripts/postgres-for-tests.sh)"
#   MAILSERVERADMIN_TEST_DATABASE=Postgres dotnet test tests/MailServerAdmin.Tests
#
# Everything else goes to stderr. The role and its password can be chosen with MAILSERVERADMIN_TEST_PG_ROLE and
# MAILSERVERADMIN_TEST_PG_PASSWORD; they are for a local test server only.
set -euo pipefail

role="${MAILSERVERADMIN_TEST_PG_ROLE:-mailserveradmin_tests}"
password="${MAILSERVERADMIN_TEST_PG_PASSWORD:-mailserveradmin_tests}"
if ! [[ "$role" =~ ^[a-z_][a-z0-9_]*$ ]] || [[ "$password" == *"'"* ]]; then
  echo "postgres-for-tests: the role must be a plain lower-case name and the password must not contain a quote" >&2
  exit 2
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

# Debian's packages: postgresql (the server, its client and its extensions such as pg_trgm); postgresql-contrib is a
# separate package only on older releases, and an empty one on newer ones.
if ! compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null; then
  $sudo apt-get update >&2
  packages=(postgresql)
  if apt-cache show postgresql-contrib >/dev/null 2>&1; then packages+=(postgresql-contrib); fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "${packages[@]}" >&2
fi

# The first cluster (Debian creates "main" with the package); one is created when there is none.
cluster="$(pg_lsclusters -h | head -n 1)"
if [ -z "$cluster" ]; then
  version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
  $sudo pg_createcluster "$version" main >&2
  cluster="$(pg_lsclusters -h | head -n 1)"
fi
read -r version name port status _ <<<"$cluster"
if [ "$status" != "online" ]; then
  $sudo pg_ctlcluster "$version" "$name" start >&2
fi

for _ in $(seq 1 30); do
  if pg_isready -q -h 127.0.0.1 -p "$port"; then break; fi
  sleep 1
done
if ! pg_isready -q -h 127.0.0.1 -p "$port"; then
  echo "postgres-for-tests: PostgreSQL $version/$name does not answer on 127.0.0.1:$port" >&2
  exit 1
fi

# Run from a directory the postgres user can enter, so that psql does not complain about the current one.
(cd / && as_postgres psql -q -p "$port" -v ON_ERROR_STOP=1 -d postgres >&2) <<SQL
DO \$\$
BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = '$role') THEN
    ALTER ROLE $role LOGIN CREATEDB PASSWORD '$password';
  ELSE
    CREATE ROLE $role LOGIN CREATEDB PASSWORD '$password';
  END IF;
END
\$\$;
SQL

echo "Host=127.0.0.1;Port=$port;Username=$role;Password=$password"
