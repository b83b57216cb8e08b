# lib.sh: what the install tests share. Sourced by each test_*.sh, which is
# run by ctest as: sh test_X.sh BUILD_DIR SOURCE_DIR
# Gives: $build, $src, $work (a temporary directory, removed at exit),
# check CONDITION-RESULT MESSAGE (counts, prints FAIL lines), finish (the
# summary and the exit status), install_into PREFIX (cmake --install), and
# help_verbs / help_options, which read the help texts with nothing of the
# generator's code, so a test can hold the generated files against them.
set -u
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
check() {
	if [ "$1" = ok ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $2"; fi
}
finish() {
	echo "$(basename "$0" .sh): $passed passed, $failed failed"
	[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
}
install_into() {
	cmake --install "$build" --prefix "$1" >"$work/install.log" 2>&1 ||
		{ echo "FAIL: cmake --install failed:"; cat "$work/install.log"; exit 1; }
}
# The verbs 'ciform --help' lists under "Commands:", one a line.
help_verbs() {
	"$1" --help | awk '/^Commands:$/ {on = 1; next} on && /^$/ {exit} on {print $1}'
}
# The options a verb's help lists in its option rows (lines indented by a
# few spaces that start with '-'), one a line: only the part naming options,
# not their descriptions.
help_options() {
	"$1" "$2" --help | grep -E '^ {1,4}-' |
		sed -e 's/^ *//' -e 's/  .*//' -e 's/: .*//' | tr ',' '\n' |
		sed -e 's/^ *//' -e 's/ .*//' | grep -E '^--?[a-z]' | sort -u
}
# The value choices an option takes ("text json markdown" for --format
# text|json|markdown), or nothing.
help_choices() {
	"$1" "$2" --help | grep -E "^ {1,4}$3 [a-z0-9-]+(\|[a-z0-9-]+)+ " | head -1 |
		sed -e 's/^ *//' | awk '{print $2}' | tr '|' ' '
}
