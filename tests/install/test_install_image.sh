#!/bin/sh
# cmd/dist/Dockerfile builds an image whose entrypoint is ciform, running as a
# user other than root: 'docker run IMAGE --version' prints the version.
# Skipped (exit 77) when neither docker nor podman can reach an engine.
# Usage: test_install_image.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh"
engine=""
why="neither docker nor podman is installed"
for e in docker podman; do
	command -v $e >/dev/null 2>&1 || continue
	if $e info >/dev/null 2>"$work/info"; then
		engine=$e
		break
	fi
	why="$e is installed but reaches no engine: $(grep -v '^$' "$work/info" | tail -1)"
done
if [ -z "$engine" ]; then
	echo "SKIP: no container engine, so the image of cmd/dist/Dockerfile is not built ($why)"
	exit 77
fi
tag=ciform-install-test:$$
trap '$engine rmi -f "$tag" >/dev/null 2>&1; rm -rf "$work"' EXIT
$engine build -f "$src/cmd/dist/Dockerfile" -t "$tag" "$src" >"$work/build.log" 2>&1 && r=ok || r=no
check $r "$engine build -f cmd/dist/Dockerfile failed: $(tail -20 "$work/build.log")"
[ $r = ok ] || { finish; exit 1; }

v=$($engine run --rm "$tag" --version 2>&1)
[ "$v" = "$("$build/ciform" --version)" ] && r=ok || r=no
check $r "'$engine run IMAGE --version' printed '$v'"
uid=$($engine run --rm --entrypoint id "$tag" -u 2>&1)
[ -n "$uid" ] && [ "$uid" != 0 ] && r=ok || r=no
check $r "the image runs as uid '$uid', not as an unprivileged user"
$engine run --rm -v "$src/specs-examples:/specs:ro" "$tag" validate /specs >"$work/out" 2>&1 && r=ok || r=no
check $r "'$engine run IMAGE validate /specs' failed: $(cat "$work/out")"

finish
