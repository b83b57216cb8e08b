#!/bin/sh
# cmake --install puts a man page for ciform, for each of its verbs and for
# ciform-sandbox in share/man/man1; man finds each by name and renders it
# without a warning, and each page names every option its --help lists.
# Without man: groff, else a check of the roff itself.
# Usage: test_install_man_pages.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh"
p=$work/prefix
install_into "$p"
ciform=$p/bin/ciform
verbs=$(help_verbs "$ciform")
[ -n "$verbs" ] && r=ok || r=no
check $r "'ciform --help' lists no verbs"

if command -v man >/dev/null 2>&1; then
	renderer=man
elif command -v groff >/dev/null 2>&1; then
	renderer=groff
else
	renderer=none
	echo "note: neither man nor groff: checking the roff source only"
fi
# render PAGE: the page as text on stdout, roff warnings on stderr.
render() {
	case $renderer in
	man) MANWIDTH=100 man --warnings -l "$1" ;;
	groff) groff -man -Tutf8 -ww -rLL=100n "$1" ;;
	none) sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' -e 's/\\e/\\/g' -e '/^\.\\"/d' -e 's/^\.[A-Za-z]* *//' "$1" ;;
	esac
}

# page NAME OPTIONS...: installed, found by name, a .TH naming it, rendered
# without warnings, and naming every option.
page() {
	name=$1
	shift
	f=$p/share/man/man1/$name.1
	if [ ! -f "$f" ]; then
		check no "share/man/man1/$name.1 is not installed"
		return
	fi
	upper=$(echo "$name" | tr 'a-z' 'A-Z' | sed 's/-/\\\\-/g')
	grep -q "^\.TH $upper 1 " "$f" && r=ok || r=no
	check $r "$name.1 has no .TH $upper 1 line"
	for s in NAME SYNOPSIS DESCRIPTION; do
		grep -q "^\.SH $s\$" "$f" && r=ok || r=no
		check $r "$name.1 has no $s section"
	done
	if [ $renderer = man ]; then
		found=$(MANPATH=$p/share/man man -w "$name" 2>/dev/null)
		[ "$found" = "$f" ] && r=ok || r=no
		check $r "'man $name' with MANPATH=PREFIX/share/man finds '$found', not the installed page"
	fi
	render "$f" >"$work/page" 2>"$work/warnings"
	rc=$?
	[ $rc = 0 ] && [ ! -s "$work/warnings" ] && r=ok || r=no
	check $r "$renderer renders $name.1 with exit $rc and: $(cat "$work/warnings")"
	for o in "$@"; do
		grep -q -e "$o\([^a-z0-9-]\|\$\)" "$work/page" && r=ok || r=no
		check $r "$name.1 does not name $o"
	done
}

page ciform $verbs
for v in $verbs; do
	page "ciform-$v" $(help_options "$ciform" "$v")
done
page ciform-sandbox $("$p/bin/ciform-sandbox" --help | grep -E '^ {1,4}-' |
	sed -e 's/^ *//' -e 's/ .*//' -e 's/,$//' | sort -u)

finish
