#!/bin/sh
# cmake --install puts working binaries in place: the installed ciform reports
# the build's version, validates the examples, and plans against the installed
# ciform-sandbox; neither binary points back into the build tree.
# Usage: test_install_tree.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh"
p=$work/prefix
install_into "$p"

for b in ciform ciform-sandbox; do
	[ -x "$p/bin/$b" ] && r=ok || r=no
	check $r "bin/$b is not installed"
	readelf -d "$p/bin/$b" 2>/dev/null | grep -E 'R(UN)?PATH' | grep -q -e "$build" -e "$src" && r=no || r=ok
	check $r "the installed $b keeps a run path into the build tree"
done

v=$("$p/bin/ciform" --version 2>&1)
case "$v" in "ciform "[0-9]*) r=ok ;; *) r=no ;; esac
check $r "installed 'ciform --version' printed '$v'"
[ "$v" = "$("$build/ciform" --version)" ] && r=ok || r=no
check $r "installed and built versions differ: '$v'"

# As .ci/demo runs the examples: stand-ins for the secrets they read from the
# environment, so --strict has nothing to warn about.
export WEB_APP_DEPLOY_TOKEN=demo-web-token PAYMENTS_API_KEY=demo-payments-key
cd "$work"
"$p/bin/ciform" validate --strict "$src/specs-examples" >"$work/out" 2>&1 && r=ok || r=no
check $r "installed 'ciform validate --strict specs-examples' failed: $(cat "$work/out")"

"$p/bin/ciform-sandbox" --port 0 --token install-token --seed "$src/specs-examples/semaphore/sandbox-seed.json" \
	--sync-ms 50 >"$work/url" 2>"$work/sandbox.err" &
sandbox=$!
for i in $(seq 100); do [ -s "$work/url" ] && break; sleep 0.1; done
SEMAPHORE_ORG_URL=$(cat "$work/url") SEMAPHORE_API_TOKEN=install-token \
	"$p/bin/ciform" plan "$src/specs-examples/semaphore" --detailed-exitcode --no-color >"$work/plan" 2>&1
rc=$?
kill "$sandbox" 2>/dev/null
wait "$sandbox" 2>/dev/null
[ "$rc" = 2 ] && grep -q '^Plan: ' "$work/plan" && r=ok || r=no
check $r "installed ciform planning against the installed ciform-sandbox: exit $rc, $(tail -3 "$work/plan")"

finish
