#!/usr/bin/env bash
# Builds the package the Function App runs: artifacts/functrace.zip, the `dotnet publish` output of FuncTrace.Functions
# with its contents at the zip's root (host.json, functions.metadata, worker.config.json, extensions.json and its
# .azurefunctions/ folder, the assemblies) — the standard isolated-worker package, the one `func azure functionapp
# publish` uploads and Flex Consumption's one deploy takes. Framework-dependent: the app's dotnet-isolated 10.0 runtime
# brings .NET. Deploy it with: az functionapp deployment source config-zip -g <group> -n <app> --src artifacts/functrace.zip
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
package="$repo_root/artifacts/functrace.zip"
staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT

for tool in zip unzip node; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "publish: needs '$tool' on PATH" >&2
    exit 1
  fi
done

cd "$repo_root"
dotnet publish FuncTrace.Functions --configuration Release --nologo --verbosity quiet --output "$staging"

mkdir -p "$(dirname "$package")"
rm -f "$package"
# "." rather than "*": the worker SDK's .azurefunctions/ folder (named in extensions.json) must go in too.
(cd "$staging" && zip -q -r -X "$package" .)

# What the Functions host looks for at the root, and every assembly extensions.json points it at.
listing="$(unzip -Z1 "$package")"
hint_paths="$(node -e 'for (const e of require(process.argv[1]).extensions) console.log(e.hintPath.replace(/^\.\//, ""))' "$staging/extensions.json")"
for entry in host.json functions.metadata worker.config.json extensions.json FuncTrace.Functions.dll $hint_paths; do
  if ! grep -qxF "$entry" <<<"$listing"; then
    echo "publish: $package has no $entry at its root" >&2
    exit 1
  fi
done
echo "Package: $package ($(du -h "$package" | cut -f1), $(grep -c . <<<"$listing") files)"
