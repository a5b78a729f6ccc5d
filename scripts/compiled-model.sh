#!/usr/bin/env bash
# The compiled EF models (src/MailServerAdmin/Data/CompiledModels/Sqlite and …/Postgres), which the app uses instead of
# building its model from the entity configurations at every start: every model change (with its migrations) needs them
# generated again.
#
#   scripts/compiled-model.sh regenerate    writes both models from the current entity configurations
#   scripts/compiled-model.sh check         fails when the committed models differ from freshly generated ones
#
# The SQLite model comes from the core's design-time factory, the PostgreSQL one from the design-time factory of
# src/MailServerAdmin.PostgresMigrations (the same options as the app, no server needed). EF writes each model with a new
# random model id: that line is not compared, and regenerate leaves a model whose only difference it is as it was.
# EF also writes an assembly attribute that would make every AppDbContext pick that model whatever its provider: it is
# left out, and the app chooses the model of its provider at registration (DatabaseSettings.CompiledModel).
set -euo pipefail
cd "$(dirname "$0")/.."

models=src/MailServerAdmin/Data/CompiledModels
dotnet tool restore >/dev/null
# Builds the core too (the SQLite model is generated from its own output).
dotnet build src/MailServerAdmin.PostgresMigrations --nologo -v quiet

fresh="$(mktemp -d)"
trap 'rm -rf "$fresh"' EXIT

generate() { # provider startup-project
  dotnet dotnet-ef dbcontext optimize --project src/MailServerAdmin --startup-project "$2" --no-build \
    --output-dir "$fresh/$1" --namespace "MailServerAdmin.Data.CompiledModels.$1" >/dev/null
  rm "$fresh/$1/AppDbContextAssemblyAttributes.cs"
}
generate Sqlite src/MailServerAdmin
generate Postgres src/MailServerAdmin.PostgresMigrations

same() { # provider
  diff -r -u -I 'modelId: new Guid(' "$models/$1" "$fresh/$1"
}

case "${1:-}" in
  regenerate)
    for provider in Sqlite Postgres; do
      if [ -d "$models/$provider" ] && same "$provider" >/dev/null; then
        echo "$provider: up to date"
      else
        rm -rf "${models:?}/$provider"
        mkdir -p "$models"
        cp -r "$fresh/$provider" "$models/$provider"
        echo "$provider: regenerated in $models/$provider"
      fi
    done
    ;;
  check)
    status=0
    for provider in Sqlite Postgres; do
      if ! same "$provider"; then
        echo "The compiled $provider model in $models/$provider is not the model the entity configurations build: run scripts/compiled-model.sh regenerate." >&2
        status=1
      fi
    done
    exit "$status"
    ;;
  *)
    echo "usage: $0 regenerate | check" >&2
    exit 2
    ;;
esac
