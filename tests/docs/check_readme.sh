#!/bin/sh
# The README's two opening commands are what users and CI run: the second one
# must be exactly the command .ci/run runs, and the first must run the main job.
# Usage: check_readme.sh SOURCE_DIR
cd "$1" || exit 1
blocks=$(awk '/^```sh$/{on=1; next} /^```$/{if (on) n++; on=0; next} on && n < 2 {print n+0": "$0}' README.md)
first=$(printf '%s\n' "$blocks" | sed -n 's/^0: //p')
second=$(printf '%s\n' "$blocks" | sed -n 's/^1: //p')
ci=$(grep -v '^#' .ci/run | grep -v '^set -e$' | grep -v '^cd ' | sed '/^$/d')
passed=0 failed=0
check() { if [ "$1" = ok ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $2"; fi; }
[ "$second" = "$ci" ] && r=ok || r=no; check $r "README's second command differs from .ci/run:
README: $second
ci:     $ci"
case "$first" in *"sh .ci/demo") r=ok ;; *) r=no ;; esac
check $r "README's first command does not run the main job (.ci/demo): $first"
for verb in "plan specs-examples" "apply specs-examples --yes"; do
  grep -q "ciform $verb" .ci/demo && r=ok || r=no
  check $r ".ci/demo does not run ciform $verb"
done
case "$first$second" in "sh .ci/install-deps && "*) r=ok ;; *) r=no ;; esac
check $r "README's commands do not start by installing what is missing"
echo "readme: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
