#!/usr/bin/env bash
# Runs FuncTrace locally on http://localhost:7071 against Azurite on its default ports: installs and starts Azurite,
# waits for it, then starts the Functions host (`func start`) when Core Tools are on PATH, or the local host
# (FuncTrace.LocalHost, the same function classes without Core Tools) otherwise. Ctrl+C stops both.
# Extra arguments go to the host (the local host takes --urls).
source "$(dirname "$0")/azurite.sh"

cd "$repo_root"
export FuncTrace__AdminApiKey="${FuncTrace__AdminApiKey:-local-dev-admin-key}"
export FuncTrace__StoragePrefix="${FuncTrace__StoragePrefix:-functrace}"

if command -v func >/dev/null 2>&1; then
  dotnet build FuncTrace.Functions --configuration Release --nologo --verbosity quiet
  start_azurite 10000 10001 10002
  echo "Admin API key: $FuncTrace__AdminApiKey (set FuncTrace__AdminApiKey to choose another)"
  if [ -f local.settings.json ]; then cp local.settings.json FuncTrace.Functions/; fi
  cd FuncTrace.Functions
  func start --port 7071 "$@" &
else
  dotnet build FuncTrace.LocalHost --configuration Release --nologo --verbosity quiet
  start_azurite 10000 10001 10002
  echo "Admin API key: $FuncTrace__AdminApiKey (set FuncTrace__AdminApiKey to choose another)"
  echo "Functions Core Tools are not installed: running the local host (FuncTrace.LocalHost)."
  # local.settings.json at the repo root (see local.settings.sample.json) is read from the current directory.
  dotnet FuncTrace.LocalHost/bin/Release/net10.0/FuncTrace.LocalHost.dll "$@" &
fi
host_pid=$!
stop_host() { kill -TERM "$host_pid" 2>/dev/null || true; }
trap stop_host INT TERM
status=0
while kill -0 "$host_pid" 2>/dev/null; do
  wait "$host_pid" || status=$?
done
exit "$status"
