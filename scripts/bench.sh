#!/usr/bin/env bash
# Runs the benchmarks (FuncTrace.Bench): builds Release, publishes a ReadyToRun copy of the local host for the
# cold-start comparison, starts Azurite on free ports, then the bench starts the local host as its own process (fresh
# storage prefix, bootstrap admin key) and a judge with 200 ms latency, runs every scenario, prints the table and writes
# BENCHMARKS.md. Extra arguments go to the bench (--quick: one short repetition, to try it out; --only ingest).
source "$(dirname "$0")/azurite.sh"

cd "$repo_root"
dotnet build FuncTrace.sln --configuration Release --nologo --verbosity quiet
r2r="$repo_root/FuncTrace.Bench/bin/Release/app-readytorun"
dotnet publish FuncTrace.LocalHost --configuration Release --runtime linux-x64 --self-contained false \
  -p:PublishReadyToRun=true --output "$r2r" --nologo --verbosity quiet

# In memory: Azurite's disk persistence rewrites its whole table database every 5 s on its one thread, so a
# benchmark that fills the tables would mostly measure that stall.
start_azurite "$(free_port)" "$(free_port)" "$(free_port)" --in-memory

commit="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!BENCHMARKS.md' || echo ' + uncommitted changes')"
dotnet FuncTrace.Bench/bin/Release/net10.0/FuncTrace.Bench.dll \
  --app FuncTrace.LocalHost/bin/Release/net10.0/FuncTrace.LocalHost \
  --app-r2r "$r2r/FuncTrace.LocalHost" \
  --out BENCHMARKS.md --command "./scripts/bench.sh${*:+ $*}" --commit "$commit" "$@"
