#!/bin/sh
# gen-completions.sh: writes ciform's bash, zsh and fish completions from the
# built binary's own help texts ('ciform --help' and every 'ciform VERB
# --help'), at build time, so they offer exactly the verbs and options the
# binary has (help-parse.awk reads the texts, complete.awk writes the scripts).
# Usage: gen-completions.sh CIFORM OUTDIR
# Writes OUTDIR/ciform.bash, OUTDIR/_ciform (zsh) and OUTDIR/ciform.fish.
set -eu
dist=$(cd "$(dirname "$0")" && pwd)
ciform=$1 out=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

help() {
	if [ -n "$1" ]; then "$ciform" "$1" --help; else "$ciform" --help; fi >"$work/text"
	[ -s "$work/text" ] || { echo "gen-completions.sh: 'ciform $1 --help' printed nothing" >&2; exit 1; }
	awk -v verb="$1" -f "$dist/help-parse.awk" <"$work/text"
}

version=$("$ciform" --version)
help "" >"$work/records"
verbs=$(awk -F '	' '$2 == "C" { print $3 }' "$work/records")
[ -n "$verbs" ] || { echo "gen-completions.sh: 'ciform --help' lists no commands" >&2; exit 1; }
for v in $verbs; do help "$v" >>"$work/records"; done

for shell in bash zsh fish; do
	awk -F '	' -v shell=$shell -v version="$version" -f "$dist/complete.awk" \
		<"$work/records" >"$work/$shell"
done
mkdir -p "$out"
mv "$work/bash" "$out/ciform.bash"
mv "$work/zsh" "$out/_ciform"
mv "$work/fish" "$out/ciform.fish"
