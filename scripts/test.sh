#!/usr/bin/env bash
# Runs every test against a real Azurite that this script starts on free ports and always stops.
source "$(dirname "$0")/azurite.sh"

# The reviewer page's browser tests drive Debian's chromium through Playwright; Playwright's own browser download is never used.
if [ ! -x /usr/bin/chromium ]; then
  echo "Installing chromium (apt-get)..."
  sudo=""; if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

start_azurite "$(free_port)" "$(free_port)" "$(free_port)"
export FUNCTRACE_TEST_STORAGE="$AzureWebJobsStorage"

cd "$repo_root"
results="$(mktemp -d)"
status=0
dotnet test FuncTrace.sln --configuration Release --logger "trx;LogFileName=tests.trx" \
  --results-directory "$results" "$@" || status=$?

# One plain summary line ("Tests: N passed, N failed, N skipped") counted from the test results file.
if trx=$(find "$results" -name '*.trx' | head -1) && [ -n "$trx" ]; then
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  count() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  echo "Tests: $(count passed) passed, $(count failed) failed, $(count notExecuted) skipped"
else
  echo "Tests: no results file was written" >&2
  [ "$status" -ne 0 ] || status=1
fi
rm -rf "$results"
exit "$status"
