#!/bin/sh
# gen-man.sh: writes the man pages of ciform, of each of its verbs and of
# ciform-sandbox from the built binaries' own --help, at build time, so a page
# can never say something the binary does not (help-parse.awk reads the help
# texts, roff.awk writes the pages).
# Usage: gen-man.sh CIFORM CIFORM_SANDBOX OUTDIR
# Writes OUTDIR/ciform.1, OUTDIR/ciform-VERB.1 for every verb that 'ciform
# --help' lists, and OUTDIR/ciform-sandbox.1. Fails when a help text is empty.
set -eu
dist=$(cd "$(dirname "$0")" && pwd)
ciform=$1 sandbox=$2 out=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# help VERB FILE...: the help text of ciform VERB ("" for the top level), as records.
help() {
	if [ -n "$1" ]; then "$ciform" "$1" --help; else "$ciform" --help; fi >"$work/text"
	[ -s "$work/text" ] || { echo "gen-man.sh: 'ciform $1 --help' printed nothing" >&2; exit 1; }
	awk -v verb="$1" -f "$dist/help-parse.awk" <"$work/text"
}
# page NAME SUMMARY SEEALSO < RECORDS
page() {
	awk -F '	' -v page="$1" -v summary="$2" -v version="$version" -v seealso="$3" \
		-f "$dist/roff.awk" >"$work/$1.1"
}
# The first clause of the first line of running text: a page's NAME line when
# the help has no one-line summary of it.
first_clause() {
	awk -F '	' '$2 == "P" { print $3; exit }' | sed -e 's/[.:,(].*//' -e 's/ *$//' |
		sed 's/^\([A-Z]\)\([a-z]* \)/\L\1\2/'
}

version=$("$ciform" --version)
help "" >"$work/top.rec"
verbs=$(awk -F '	' '$2 == "C" { print $3 }' "$work/top.rec")
[ -n "$verbs" ] || { echo "gen-man.sh: 'ciform --help' lists no commands" >&2; exit 1; }

all=""
for v in $verbs; do all="$all ciform-$v"; done
page ciform "$(first_clause <"$work/top.rec")" "${all# } ciform-sandbox" <"$work/top.rec"
for v in $verbs; do
	summary=$(awk -F '	' -v v="$v" '$2 == "C" && $3 == v { print $4 }' "$work/top.rec")
	help "$v" | page "ciform-$v" "$summary" ciform
done
"$sandbox" --help >"$work/text"
[ -s "$work/text" ] || { echo "gen-man.sh: 'ciform-sandbox --help' printed nothing" >&2; exit 1; }
awk -v verb=sandbox -f "$dist/help-parse.awk" <"$work/text" >"$work/sandbox.rec"
page ciform-sandbox "$(first_clause <"$work/sandbox.rec")" ciform <"$work/sandbox.rec"

# Replace the pages as a whole: a verb that went away takes its page with it.
mkdir -p "$out"
rm -f "$out"/*.1
mv "$work"/*.1 "$out"/
