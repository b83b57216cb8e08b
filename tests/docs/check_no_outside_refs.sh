#!/bin/sh
# The repository documents itself: no file may point at a design document
# that lives outside it (by its name, or by a path up out of the tree), and
# every relative link in README.md and docs/*.md must reach a file or folder
# that exists, and a heading of it when it names one, so the documentation
# cannot silently rot.
# Usage: check_no_outside_refs.sh SOURCE_DIR
cd "$1" || exit 1
passed=0 failed=0
check() { if [ "$1" = ok ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $2"; fi; }

# The words are split so that this file does not match itself.
name='CONTR''ACT'
updir='\.\./sha''red'

# Tracked files, and new ones git does not ignore (build trees are ignored).
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	files=$(git ls-files --cached --others --exclude-standard | LC_ALL=C sort -u)
else
	files=$(find . -path ./.git -prune -o -type f -print | sed 's|^\./||' | LC_ALL=C sort)
fi

# The MIT licence's own wording ("ACTION OF CONTRACT") is not a reference.
hits=$(printf '%s\n' "$files" | while IFS= read -r f; do
	[ -f "$f" ] || continue
	grep -I -n -e "$name" -e "$updir" -- "$f" 2>/dev/null | grep -v "ACTION OF $name" |
		sed "s|^|$f:|"
done)
[ -z "$hits" ] && r=ok || r=no
check $r "files point at documents outside the repository:
$hits"

# Relative links: [text](target) and <a href="target">, minus URLs and anchors.
for doc in README.md docs/*.md; do
	[ -f "$doc" ] || continue
	dir=$(dirname "$doc")
	links=$(grep -o -e '\]([^)]*)' -e 'href="[^"]*"' "$doc" |
		sed -e 's/^](//' -e 's/)$//' -e 's/^href="//' -e 's/"$//' -e 's/[[:space:]].*//')
	bad=""
	for link in $links; do
		case "$link" in
		http://* | https://* | mailto:* | '#'*) continue ;;
		esac
		target=${link%%#*}
		[ -e "$dir/$target" ] || bad="$bad $link"
	done
	[ -z "$bad" ] && r=ok || r=no
	check $r "$doc links to files that do not exist:$bad"
done

# Anchors: FILE.md#anchor (or #anchor) must name a heading of that file, as
# GitHub makes anchors: lower case, punctuation dropped, spaces as hyphens.
anchors_of() {
	awk '/^```/{fence = !fence; next} !fence && /^#+ /' "$1" |
		sed -e 's/^#* *//' | tr 'A-Z' 'a-z' | sed -e 's/[^a-z0-9 _-]//g' -e 's/ /-/g'
}
for doc in README.md docs/*.md; do
	[ -f "$doc" ] || continue
	dir=$(dirname "$doc")
	links=$(grep -o -e '\]([^)]*#[^)]*)' "$doc" | sed -e 's/^](//' -e 's/)$//')
	bad=""
	for link in $links; do
		case "$link" in
		http://* | https://* | mailto:*) continue ;;
		esac
		file=${link%%#*}
		anchor=${link#*#}
		target=$doc
		[ -n "$file" ] && target="$dir/$file"
		case "$target" in *.md) ;; *) continue ;; esac
		[ -f "$target" ] || continue # reported above
		anchors_of "$target" | grep -qx -- "$anchor" || bad="$bad $link"
	done
	[ -z "$bad" ] && r=ok || r=no
	check $r "$doc links to headings that do not exist:$bad"
done

echo "outside refs and links: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
