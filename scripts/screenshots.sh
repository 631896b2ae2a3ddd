#!/usr/bin/env bash
# Regenerates the README's two screenshots of the reviewer page from the browser tests' full-page screenshots of real
# data: docs/review-queue.png (an item claimed, in its conversation) and docs/eval-run.png (a run half done). Both are
# 1440 px wide, cut to the first screenful by the same headless chromium the tests drive: no image tool needed.
set -euo pipefail
repo_root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$repo_root/scripts/test.sh" --filter "FullyQualifiedName~LayoutTests.EveryScreen|FullyQualifiedName~EvalRunTests.ARuns"
shots="$repo_root/FuncTrace.Tests/bin/Release/net10.0/screenshots"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# crop SOURCE HEIGHT TARGET: the top HEIGHT px of a 1440-wide screenshot.
crop() {
  cp "$shots/$1" "$work/$1"
  printf '<!doctype html><style>html,body{margin:0}img{display:block}</style><img src="%s">' "$1" > "$work/page.html"
  /usr/bin/chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
    --disable-sync --no-first-run --user-data-dir="$work/profile" --hide-scrollbars --window-size="1440,$2" \
    --screenshot="$repo_root/docs/$3" "file://$work/page.html" 2>/dev/null
}
mkdir -p "$repo_root/docs"
crop queue-1440.png 1000 review-queue.png
crop run-in-progress-1440.png 960 eval-run.png
ls -l "$repo_root/docs/review-queue.png" "$repo_root/docs/eval-run.png"
