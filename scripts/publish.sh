#!/usr/bin/env bash
# Builds the package a Flex Consumption Function App runs: artifacts/functrace.zip with host.json, one folder
# per function (deploy/functions/*/function.json) and the app, all at the zip's root.
# The app is self-contained for linux-x64 (the custom runtime brings no .NET) and ReadyToRun (less JIT at
# cold start). Deploy it with: az functionapp deployment source config-zip -g <group> -n <app> --src artifacts/functrace.zip
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
package="$repo_root/artifacts/functrace.zip"
staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT

cd "$repo_root"
dotnet publish FuncTrace.Functions --configuration Release --runtime linux-x64 --self-contained true \
  -p:PublishReadyToRun=true --nologo --verbosity quiet --output "$staging"
cp -R deploy/functions/. "$staging/"

# host.json names the executable the Functions host starts; it must be there and executable.
executable="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["customHandler"]["description"]["defaultExecutablePath"])' "$staging/host.json")"
if [ ! -x "$staging/$executable" ]; then
  echo "publish: host.json names '$executable' but the published app has no such executable" >&2
  exit 1
fi

mkdir -p "$(dirname "$package")"
rm -f "$package"
# Info-ZIP keeps the Unix mode bits, so the executable stays executable when the host unpacks the zip.
(cd "$staging" && zip -q -r -X "$package" .)

if ! zipinfo "$package" "$executable" | grep -q '^-rwx'; then
  echo "publish: $executable lost its executable bit in $package" >&2
  exit 1
fi
echo "Package: $package ($(du -h "$package" | cut -f1))"
