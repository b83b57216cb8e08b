# roff.awk: turns the records of help-parse.awk for one help text into a man
# page, so the page says exactly what --help says.
#
# Usage: awk -F'\t' -v page=NAME -v summary=TEXT -v version=TEXT \
#            -v seealso="PAGE PAGE..." -f roff.awk < RECORDS
# Sections: NAME, SYNOPSIS (the usage lines), DESCRIPTION (the text before
# the first table), OPTIONS (option rows), one section per heading of the
# text ("Commands:" gives COMMANDS), and a section per labelled line after a
# table ("Exit codes: ..." gives EXIT CODES; unlabelled text: NOTES), then
# SEE ALSO. Verb names in the commands table point at their own pages.

# Text as roff: backslashes and hyphens escaped (an option must copy and paste
# as the ASCII '-'), and a line that would start with a control character kept
# as text.
function esc(s) {
	gsub(/\\/, "\\e", s)
	gsub(/-/, "\\-", s)
	if (s ~ /^[.']/)
		s = "\\&" s
	return s
}
# "--format text|json, -h" as "\fB\-\-format\fR \fItext|json\fR, \fB\-h\fR":
# options bold, what they take in italics.
function tag(s,   n, i, w, r, sep, words) {
	n = split(s, words, " ")
	r = ""
	for (i = 1; i <= n; i++) {
		w = words[i]
		sep = ""
		if (w ~ /,$/) { sep = ","; w = substr(w, 1, length(w) - 1) }
		r = r (i > 1 ? " " : "") (w ~ /^-/ ? "\\fB" esc(w) "\\fR" : "\\fI" esc(w) "\\fR") sep
	}
	return r
}
function section(title) {
	print ".SH " title
	need_pp = 0
	started = 1
}
function text(s) {
	if (need_pp)
		print ".PP"
	need_pp = 0
	print esc(s)
}
BEGIN {
	upper = toupper(page)
	gsub(/-/, "\\-", upper)
	print ".\\\" Generated from the program's --help by cmd/dist/gen-man.sh: do not edit."
	printf ".TH %s 1 \"\" \"%s\" \"User Commands\"\n", upper, esc(version)
	print ".nh"
	print ".ad l"
	print ".SH NAME"
	print esc(page) " \\- " esc(summary)
	state = "synopsis"
}
$2 == "U" {
	if (state == "synopsis" && !synopsis_open) {
		print ".SH SYNOPSIS"
		print ".nf"
		synopsis_open = 1
	}
	print esc($3)
	next
}
synopsis_open {
	print ".fi"
	synopsis_open = 0
	section("DESCRIPTION")
	state = "text"
	if ($2 == "B")
		next
}
$2 == "B" {
	need_pp = 1
	if (state == "table")
		state = "after"
	next
}
$2 == "H" {
	section(toupper($3))
	state = "heading"
	next
}
$2 == "O" || $2 == "C" {
	if (state != "table" && state != "heading")
		section($2 == "O" ? "OPTIONS" : "COMMANDS")
	state = "table"
	print ".TP"
	if ($2 == "O") {
		print tag($3)
		print esc($4)
	} else {
		print "\\fB" esc($3) "\\fR"
		print esc($4) "; see"
		print ".BR " esc("ciform-" $3) " (1)."
	}
	next
}
$2 == "P" {
	line = $3
	if (state == "after" || state == "labelled") {
		# "Exit codes: 0 success, ..." after a table starts a section of its own.
		if (match(line, /^[A-Z][a-z]+( [a-z]+)?( [a-z]+)?: /)) {
			section(toupper(substr(line, 1, RLENGTH - 2)))
			line = substr(line, RLENGTH + 1)
			state = "labelled"
		} else if (state == "after") {
			section("NOTES")
			state = "labelled"
		}
	}
	text(line)
	next
}
END {
	if (synopsis_open)
		print ".fi"
	n = split(seealso, pages, " ")
	if (n > 0) {
		print ".SH SEE ALSO"
		for (i = 1; i <= n; i++)
			print ".BR " esc(pages[i]) " (1)" (i < n ? "," : "")
	}
}
