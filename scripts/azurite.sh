# Sourced by run-local.sh and test.sh: installs Azurite from package.json, starts it, waits for it,
# and stops it when the calling script exits (whatever the exit status).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

ensure_azurite_installed() {
  if [ ! -x "$repo_root/node_modules/.bin/azurite" ]; then
    echo "Installing Azurite (npm ci)..."
    (cd "$repo_root" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});'
}

wait_for_port() {
  local port=$1 deadline=$((SECONDS + 60))
  until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then
      echo "Azurite did not open port $port within 60 s; its log:" >&2
      cat "$azurite_dir/azurite.log" >&2 || true
      return 1
    fi
    sleep 0.2
  done
}

stop_azurite() {
  if [ -n "${azurite_pid:-}" ] && kill -0 "$azurite_pid" 2>/dev/null; then
    kill "$azurite_pid" 2>/dev/null || true
    wait "$azurite_pid" 2>/dev/null || true
  fi
  if [ -n "${azurite_dir:-}" ]; then rm -rf "$azurite_dir"; fi
}

# start_azurite BLOB_PORT QUEUE_PORT TABLE_PORT [--in-memory]: starts Azurite with its data in a temporary folder
# (or only in memory) and exports AzureWebJobsStorage pointing at it.
start_azurite() {
  local blob=$1 queue=$2 table=$3
  ensure_azurite_installed
  azurite_dir="$(mktemp -d)"
  local data=(--location "$azurite_dir")
  if [ "${4:-}" = "--in-memory" ]; then data=(--inMemoryPersistence); fi
  "$repo_root/node_modules/.bin/azurite" \
    "${data[@]}" --silent --disableTelemetry --skipApiVersionCheck --disableProductStyleUrl \
    --blobHost 127.0.0.1 --blobPort "$blob" \
    --queueHost 127.0.0.1 --queuePort "$queue" \
    --tableHost 127.0.0.1 --tablePort "$table" \
    >"$azurite_dir/azurite.log" 2>&1 &
  azurite_pid=$!
  trap stop_azurite EXIT
  trap 'exit 130' INT TERM
  wait_for_port "$blob"; wait_for_port "$queue"; wait_for_port "$table"
  local account=devstoreaccount1
  export AzureWebJobsStorage="DefaultEndpointsProtocol=http;AccountName=$account;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$blob/$account;QueueEndpoint=http://127.0.0.1:$queue/$account;TableEndpoint=http://127.0.0.1:$table/$account;"
  echo "Azurite is up (blob :$blob, queue :$queue, table :$table)."
}
