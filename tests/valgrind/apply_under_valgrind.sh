#!/bin/sh
# An end-to-end apply of specs-examples/semaphore/ under valgrind memcheck, against a
# fresh ciform-sandbox: no memory error, and no leak (definite or indirect).
# Usage: apply_under_valgrind.sh BUILD_DIR SOURCE_DIR
build=$1 src=$2
work=$(mktemp -d)
"$build/ciform-sandbox" --port 0 --token vg --seed "$src/specs-examples/semaphore/sandbox-seed.json" --sync-ms 20 > "$work/url" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for i in $(seq 50); do [ -s "$work/url" ] && break; sleep 0.1; done
export SEMAPHORE_ORG_URL="$(cat "$work/url")" SEMAPHORE_API_TOKEN=vg
export WEB_APP_DEPLOY_TOKEN=vg-web PAYMENTS_API_KEY=vg-pay
passed=0 failed=0
run() { # name, then the ciform arguments
  name=$1; shift
  valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite,indirect \
    --show-leak-kinds=definite,indirect --error-exitcode=99 \
    "$build/ciform" "$@" > "$work/out" 2> "$work/err"
  rc=$?
  if [ $rc -eq 0 ]; then passed=$((passed + 1)); else
    failed=$((failed + 1)); echo "FAIL: $name (exit $rc)"; cat "$work/err"; fi
}
run apply apply "$src/specs-examples/semaphore" --yes --registration-token-dir "$work/tokens"
run plan plan "$src/specs-examples/semaphore"
grep -q "No changes. Live state matches the specs." "$work/out" && passed=$((passed + 1)) || {
  failed=$((failed + 1)); echo "FAIL: the plan after the apply is not empty"; }
run export export --project web-app
echo "valgrind: $passed passed, $failed failed"
[ $failed -eq 0 ]
