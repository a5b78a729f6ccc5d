#!/usr/bin/env bash
# The PostgreSQL migrations (src/MailServerAdmin.PostgresMigrations), kept beside the SQLite ones
# (src/MailServerAdmin/Data/Migrations): every model change gets a migration in each set.
#
#   scripts/postgres-migrations.sh add <Name>    adds a migration to the PostgreSQL set for the current model
#                                                 (the SQLite one: dotnet dotnet-ef migrations add <Name> --project src/MailServerAdmin)
#   scripts/postgres-migrations.sh regenerate    replaces the whole PostgreSQL set with one InitialCreate made from the
#                                                 current model. Only while no PostgreSQL database has been deployed with
#                                                 the set (it was first shipped with this script); afterwards, add.
#   scripts/postgres-migrations.sh check         fails when the model has changes the PostgreSQL set does not have
#
# No PostgreSQL server is needed: the EF tools build the model from the design-time factory of the migrations project.
set -euo pipefail
cd "$(dirname "$0")/.."

project=src/MailServerAdmin.PostgresMigrations
dotnet tool restore >/dev/null
dotnet build "$project" --nologo -v quiet

case "${1:-}" in
  add)
    name="${2:?usage: $0 add <MigrationName>}"
    dotnet dotnet-ef migrations add "$name" --project "$project" --no-build --output-dir Migrations
    ;;
  regenerate)
    rm -rf "$project/Migrations"
    # Built again without the old set, or the tools would still find its InitialCreate.
    dotnet build "$project" --nologo -v quiet
    dotnet dotnet-ef migrations add InitialCreate --project "$project" --no-build --output-dir Migrations
    ;;
  check)
    dotnet dotnet-ef migrations has-pending-model-changes --project "$project" --no-build
    ;;
  *)
    echo "usage: $0 add <MigrationName> | regenerate | check" >&2
    exit 2
    ;;
esac
