#!/usr/bin/env bash
# Runs FuncTrace locally on http://localhost:7071 against Azurite on its default ports.
# Installs and starts Azurite, waits for it, starts the host; stopping the host (Ctrl+C) stops Azurite.
source "$(dirname "$0")/azurite.sh"

cd "$repo_root"
dotnet build FuncTrace.Functions --configuration Release --nologo --verbosity quiet

start_azurite 10000 10001 10002
export FuncTrace__AdminApiKey="${FuncTrace__AdminApiKey:-local-dev-admin-key}"
echo "Admin API key: $FuncTrace__AdminApiKey (set FuncTrace__AdminApiKey to choose another)"

# The host runs from its output folder (its content root, where host.json and appsettings.json are);
# a local.settings.json at the repo root (see local.settings.sample.json) goes with it.
if [ -f local.settings.json ]; then cp local.settings.json FuncTrace.Functions/bin/Release/net10.0/; fi
cd FuncTrace.Functions/bin/Release/net10.0
./FuncTrace.Functions "$@" &
host_pid=$!
stop_host() { kill -TERM "$host_pid" 2>/dev/null || true; }
trap stop_host INT TERM
status=0
while kill -0 "$host_pid" 2>/dev/null; do
  wait "$host_pid" || status=$?
done
exit "$status"
