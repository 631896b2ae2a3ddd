#!/usr/bin/env bash
# Runs FuncTrace locally on http://localhost:7071 against Azurite on its default ports.
# Installs and starts Azurite, waits for it, starts the host; stopping the host stops Azurite.
source "$(dirname "$0")/azurite.sh"

start_azurite 10000 10001 10002
export FuncTrace__AdminApiKey="${FuncTrace__AdminApiKey:-local-dev-admin-key}"
echo "Admin API key: $FuncTrace__AdminApiKey (set FuncTrace__AdminApiKey to choose another)"

cd "$repo_root"
dotnet run --project FuncTrace.Functions --configuration Release -- "$@"
