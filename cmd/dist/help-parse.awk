# help-parse.awk: reads one --help text of ciform or ciform-sandbox and prints
# it as records, so that the man pages and the shell completions are made
# from the very text the binary prints and cannot drift from it.
#
# Usage: awk -v verb=VERB -f help-parse.awk < HELP      (verb "" for the top level)
# Every record is one line, fields separated by tabs, the verb first:
#   VERB U LINE          a synopsis line ("usage: " taken off)
#   VERB P LINE          a line of running text
#   VERB B               a blank line (a paragraph ends)
#   VERB H HEADING       a line of its own ending in ':' ("Commands:")
#   VERB O TAG DESC      an option row: TAG "--a X, --b Y", DESC its text
#   VERB C NAME SUMMARY  a row of the "Commands:" table
#
# The help texts' shape, which this relies on: the synopsis comes first, its
# continuation lines indented; option rows are indented 1-4 spaces and start
# with '-'; a row's description follows two or more spaces, or ": " when the
# row is a list of options described elsewhere ("--org-url URL, ...: as for
# plan"); a row without either continues on the next row; deeper-indented
# lines continue the description above them.
function out(type, a, b) {
	if (b != "" || type == "O" || type == "C")
		printf "%s\t%s\t%s\t%s\n", verb, type, a, b
	else if (a != "")
		printf "%s\t%s\t%s\n", verb, type, a
	else
		printf "%s\t%s\n", verb, type
}
function flush() {
	if (row_type != "")
		out(row_type, row_tag, row_desc)
	row_type = row_tag = row_desc = ""
}
# (mawk, Debian's awk, has no regex intervals such as " {1,4}")
function indent() { match($0, /^ */); return RLENGTH }
function trim(s) {
	sub(/^[ \t]+/, "", s)
	sub(/[ \t]+$/, "", s)
	return s
}
BEGIN { in_usage = 1; heading = "" }
{ sub(/\r$/, "") }
in_usage && NR == 1 && /^usage: / { out("U", substr($0, 8)); next }
in_usage && NR > 1 && /^ +[^ ]/ { out("U", substr($0, 8)); next }
{ in_usage = 0 }
/^[ \t]*$/ { flush(); out("B"); heading = ""; next }
/^[A-Z][A-Za-z -]*:$/ { flush(); heading = substr($0, 1, length($0) - 1); out("H", heading); next }
/^ +-/ && indent() <= 4 {
	body = trim($0)
	if (match(body, /  +/)) {
		tag = substr(body, 1, RSTART - 1)
		desc = trim(substr(body, RSTART + RLENGTH))
	} else if (match(body, /: /)) {
		tag = substr(body, 1, RSTART - 1)
		desc = trim(substr(body, RSTART + RLENGTH))
	} else {
		tag = body
		desc = ""
	}
	sub(/,$/, "", tag)
	if (row_type == "O" && row_desc == "") {
		row_tag = row_tag ", " tag # a list of options spread over rows
		row_desc = desc
	} else {
		flush()
		row_type = "O"; row_tag = tag; row_desc = desc
	}
	next
}
heading == "Commands" && /^ +[a-z][a-z0-9-]* / && indent() <= 4 {
	flush()
	body = trim($0)
	match(body, / +/)
	row_type = "C"
	row_tag = substr(body, 1, RSTART - 1)
	row_desc = trim(substr(body, RSTART + RLENGTH))
	next
}
row_type != "" && /^     +[^ ]/ {
	row_desc = row_desc (row_desc == "" ? "" : " ") trim($0)
	next
}
{ flush(); out("P", trim($0)) }
END { flush() }
