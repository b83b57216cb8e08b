# complete.awk: writes ciform's completion script for bash, zsh or fish from
# the records help-parse.awk makes of 'ciform --help' and of every
# 'ciform VERB --help', so completion offers what the binary accepts.
#
# Usage: awk -F'\t' -v shell=bash|zsh|fish -v version=TEXT -f complete.awk < RECORDS
# What is completed: the verbs (with their summaries); each verb's options
# (every option of its option rows and of its usage lines); an option's value
# when the help names it: a list of choices ("text|json") is offered, FILE
# completes file names, DIR directories, anything else nothing; and file
# names for a verb whose usage takes PATH.

function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
# Adds option opt (taking arg, "" for none) to verb v, once.
function add(v, opt, arg, desc,   k) {
	k = v SUBSEP opt
	if (!(k in has)) {
		has[k] = 1
		nopt[v]++
		optname[v, nopt[v]] = opt
		optarg[v, nopt[v]] = arg
	} else if (arg != "")
		for (i = 1; i <= nopt[v]; i++)
			if (optname[v, i] == opt && optarg[v, i] == "")
				optarg[v, i] = arg
	# A row "--org-url URL, ...: as for plan" is described where plan's is.
	if (desc != "" && desc !~ /^as for /) {
		if (desc ~ /repeatable/)
			repeat[opt] = 1
		about[v, opt] = short(desc)
		if (!(opt in about))
			about[opt] = short(desc)
	}
}
# A description cut to its first clause, as a completion menu shows it.
function short(s) {
	sub(/; .*/, "", s)
	sub(/ \(.*/, "", s)
	sub(/,$/, "", s)
	if (length(s) > 60)
		s = substr(s, 1, 57) "..."
	return s
}
# What an option's value completes to: "choices", "file", "dir" or "".
function kind(arg) {
	if (arg ~ /^[a-z0-9-]+(\|[a-z0-9-]+)+$/) return "choices"
	if (arg ~ /FILE/) return "file"
	if (arg ~ /DIR/) return "dir"
	return ""
}
function describe(v, opt) { return ((v, opt) in about) ? about[v, opt] : about[opt] }
function choices(arg,   s) { s = arg; gsub(/\|/, " ", s); return s }
function sq(s) { gsub(/'/, "'\\''", s); return s }                  # inside '...' (sh, zsh)
function fq(s) { gsub(/\\/, "\\\\", s); gsub(/'/, "\\'", s); return s } # inside '...' (fish)
function zd(s) { gsub(/\[/, "(", s); gsub(/\]/, ")", s); return sq(s) } # an _arguments [description]

$1 == "" && $2 == "C" { nverb++; verb[nverb] = $3; summary[$3] = $4; next }
$2 == "O" {
	n = split($3, items, ", ")
	for (j = 1; j <= n; j++) {
		it = trim(items[j])
		opt = it; arg = ""
		if (match(it, / /)) { opt = substr(it, 1, RSTART - 1); arg = trim(substr(it, RSTART + 1)) }
		add($1, opt, arg, $4)
	}
	next
}
$2 == "U" {
	if ($3 ~ /PATH/)
		paths[$1] = 1
	line = $3
	gsub(/[][]/, " ", line)
	n = split(line, w, " ")
	for (j = 1; j <= n; j++)
		if (w[j] ~ /^--?[a-z]/) {
			arg = (j < n && w[j + 1] !~ /^(-|\||\.\.\.)/ && w[j + 1] !~ /^[a-z]/) ? w[j + 1] : ""
			add($1, w[j], arg, "")
		}
}
END {
	# Every verb answers --help, whether or not its help says so.
	for (i = 1; i <= nverb; i++)
		add(verb[i], "--help", "", "")
	if (!("--help" in about))
		about["--help"] = "show this help"
	about["--version"] = "print the version"
	if (shell == "bash") bash(); else if (shell == "zsh") zsh(); else if (shell == "fish") fish()
	else { print "complete.awk: shell must be bash, zsh or fish" > "/dev/stderr"; exit 1 }
}

function header(c) {
	print c " " shell " completion for ciform(1), " version "."
	print c " Generated from the help texts of ciform by cmd/dist/gen-completions.sh: do not edit."
}

function bash(   i, j, v, o, k, words) {
	header("#")
	print "_ciform()"
	print "{"
	print "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} opts paths"
	print "\tCOMPREPLY=()"
	print "\tif [[ $COMP_CWORD -eq 1 ]]; then"
	words = ""
	for (i = 1; i <= nverb; i++) words = words verb[i] " "
	print "\t\tCOMPREPLY=($(compgen -W '" words "--help --version' -- \"$cur\"))"
	print "\t\treturn"
	print "\tfi"
	print "\tcase ${COMP_WORDS[1]} in"
	for (i = 1; i <= nverb; i++) {
		v = verb[i]
		print "\t" v ")"
		print "\t\tcase $prev in"
		words = ""
		for (j = 1; j <= nopt[v]; j++) {
			o = optname[v, j]
			words = words (j > 1 ? " " : "") o
			k = kind(optarg[v, j])
			if (optarg[v, j] == "")
				continue
			if (k == "choices")
				print "\t\t" o ") COMPREPLY=($(compgen -W '" choices(optarg[v, j]) "' -- \"$cur\")); return ;;"
			else if (k == "file")
				print "\t\t" o ") compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- \"$cur\")); return ;;"
			else if (k == "dir")
				print "\t\t" o ") compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- \"$cur\")); return ;;"
			else
				print "\t\t" o ") return ;;"
		}
		print "\t\tesac"
		print "\t\topts='" words "' paths=" (v in paths ? 1 : 0)
		print "\t\t;;"
	}
	print "\t*) return ;;"
	print "\tesac"
	print "\tif [[ $cur == -* ]]; then"
	print "\t\tCOMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))"
	print "\telif [[ $paths == 1 ]]; then"
	print "\t\tcompopt -o filenames 2>/dev/null"
	print "\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))"
	print "\tfi"
	print "}"
	print "complete -F _ciform ciform"
}

function zsh(   i, j, v, o, k, spec, a) {
	print "#compdef ciform"
	header("#")
	print ""
	print "_ciform() {"
	print "\tlocal -a commands"
	print "\tcommands=("
	for (i = 1; i <= nverb; i++)
		print "\t\t'" sq(verb[i]) ":" sq(summary[verb[i]]) "'"
	print "\t)"
	print "\tif (( CURRENT == 2 )); then"
	print "\t\t_describe -t commands 'ciform command' commands"
	print "\t\treturn"
	print "\tfi"
	print "\tlocal verb=${words[2]}"
	print "\tshift words"
	print "\t(( CURRENT-- ))"
	print "\tcase $verb in"
	for (i = 1; i <= nverb; i++) {
		v = verb[i]
		print "\t(" v ")"
		printf "\t\t_arguments -s"
		for (j = 1; j <= nopt[v]; j++) {
			o = optname[v, j]
			a = optarg[v, j]
			k = kind(a)
			spec = (o in repeat ? "*" : "") o "[" zd(describe(v, o)) "]"
			if (a != "") {
				if (k == "choices") spec = spec ":" substr(o, 3) ":(" choices(a) ")"
				else if (k == "file") spec = spec ":file:_files"
				else if (k == "dir") spec = spec ":directory:_files -/"
				else spec = spec ":" sq(tolower(a)) ": "
			}
			printf " \\\n\t\t\t'%s'", spec
		}
		if (v in paths)
			printf " \\\n\t\t\t'*:path:_files'"
		print ""
		print "\t\t;;"
	}
	print "\tesac"
	print "}"
	print ""
	print "_ciform \"$@\""
}

function fish(   i, j, v, o, k, a, line, cond) {
	header("#")
	print "complete -c ciform -f"
	for (i = 1; i <= nverb; i++)
		print "complete -c ciform -n __fish_use_subcommand -a " verb[i] " -d '" fq(summary[verb[i]]) "'"
	print "complete -c ciform -n __fish_use_subcommand -l help -d '" fq(about["--help"]) "'"
	print "complete -c ciform -n __fish_use_subcommand -l version -d '" fq(about["--version"]) "'"
	for (i = 1; i <= nverb; i++) {
		v = verb[i]
		cond = "complete -c ciform -n '__fish_seen_subcommand_from " v "'"
		if (v in paths)
			print cond " -F"
		for (j = 1; j <= nopt[v]; j++) {
			o = optname[v, j]
			a = optarg[v, j]
			k = kind(a)
			line = cond (o ~ /^--/ ? " -l " substr(o, 3) : " -s " substr(o, 2))
			if (a != "") {
				if (k == "choices") line = line " -x -a '" choices(a) "'"
				else if (k == "file") line = line " -r -F"
				else if (k == "dir") line = line " -x -a '(__fish_complete_directories)'"
				else line = line " -x"
			}
			print line " -d '" fq(describe(v, o)) "'"
		}
	}
}
