#!/bin/sh
# 'cpack -G DEB' makes a .deb holding the binaries, every man page and the
# completions, whose Depends names Debian 12's packages of the libraries the
# binaries link (libgit2-1.5 among them), and whose ciform runs once unpacked.
# Skipped (exit 77) where dpkg-deb is missing: not a Debian system.
# Usage: test_install_deb.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh"
if ! command -v dpkg-deb >/dev/null 2>&1; then
	echo "SKIP: dpkg-deb is not installed (not a Debian system): no .deb to check"
	exit 77
fi
# A package directory of its own: CPack stages its install there, not in the
# build tree other tests read.
cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/pkg" >"$work/cpack.log" 2>&1 ||
	{ echo "FAIL: cpack -G DEB failed:"; cat "$work/cpack.log"; exit 1; }
deb=$(ls "$work"/pkg/*.deb 2>/dev/null | head -1)
[ -n "$deb" ] && r=ok || r=no
check $r "cpack -G DEB made no .deb: $(cat "$work/cpack.log")"
[ -n "$deb" ] || { finish; exit 1; }

dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\./|/|' >"$work/files"
has() {
	grep -qx -e "$1" "$work/files" && r=ok || r=no
	check $r "the .deb does not hold $1"
}
has /usr/bin/ciform
has /usr/bin/ciform-sandbox
has /usr/share/man/man1/ciform.1
has /usr/share/man/man1/ciform-sandbox.1
for v in $(help_verbs "$build/ciform"); do has "/usr/share/man/man1/ciform-$v.1"; done
has /usr/share/bash-completion/completions/ciform
has /usr/share/zsh/vendor-completions/_ciform
has /usr/share/fish/vendor_completions.d/ciform.fish

depends=$(dpkg-deb -f "$deb" Depends)
for pkg in libgit2-1.5 libyaml-0-2 libcurl4 libcjson1 libpcre2-8-0 libmicrohttpd12 libssl3; do
	printf '%s\n' "$depends" | tr ',' '\n' | sed 's/^ *//' | grep -q "^$pkg\( \|\$\)" && r=ok || r=no
	check $r "the .deb's Depends does not name $pkg: $depends"
done
[ "$(dpkg-deb -f "$deb" Package)" = ciform ] && r=ok || r=no
check $r "the .deb's Package is not ciform"

dpkg-deb -x "$deb" "$work/root"
v=$("$work/root/usr/bin/ciform" --version 2>&1)
[ "$v" = "$("$build/ciform" --version)" ] && r=ok || r=no
check $r "the packaged ciform --version printed '$v'"

finish
