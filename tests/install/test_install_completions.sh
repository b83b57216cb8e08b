#!/bin/sh
# cmake --install puts ciform's bash, zsh and fish completions where those
# shells look; each names every verb and, for each verb, every option that
# verb's --help lists. bash's is also driven as bash drives it: 'ciform
# <TAB>' offers the verbs, 'ciform VERB --<TAB>' the options, and an option
# that takes one of a few values ('--format <TAB>') offers those values.
# zsh and fish, when installed, parse theirs.
# Usage: test_install_completions.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh"
p=$work/prefix
install_into "$p"
ciform=$p/bin/ciform
bash_file=$p/share/bash-completion/completions/ciform
zsh_file=$p/share/zsh/site-functions/_ciform
fish_file=$p/share/fish/vendor_completions.d/ciform.fish
for f in "$bash_file" "$zsh_file" "$fish_file"; do
	[ -s "$f" ] && r=ok || r=no
	check $r "${f#$p/} is not installed"
done
verbs=$(help_verbs "$ciform")
[ -n "$verbs" ] && r=ok || r=no
check $r "'ciform --help' lists no verbs"

# complete WORDS...: what bash offers for the last word, one a line.
complete_bash() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_ciform; printf "%s\n" "${COMPREPLY[@]}"' complete "$bash_file" "$@" 2>&1
}
# offers LIST EXPECTED WHAT: every word of EXPECTED is a line of LIST.
offers() {
	for w in $2; do
		printf '%s\n' "$1" | grep -qx -e "$w" && r=ok || r=no
		check $r "$3 does not offer $w"
	done
}

offers "$(complete_bash ciform '')" "$verbs" "bash: 'ciform <TAB>'"
for v in $verbs; do
	opts=$(help_options "$ciform" "$v")
	offers "$(complete_bash ciform "$v" -)" "$opts" "bash: 'ciform $v -<TAB>'"
	for o in $opts; do
		choices=$(help_choices "$ciform" "$v" "$o")
		[ -n "$choices" ] || continue
		offers "$(complete_bash ciform "$v" "$o" '')" "$choices" "bash: 'ciform $v $o <TAB>'"
	done
done

# zsh: a (VERB) branch of the case per verb, naming each option;
# fish: a line per option under its verb's condition.
for v in $verbs; do
	grep -q "^		'$v:" "$zsh_file" && r=ok || r=no
	check $r "zsh: the verb $v is not in the commands list"
	branch=$(awk -v v="($v)" '$1 == v {on = 1; next} on && /;;/ {exit} on' "$zsh_file")
	grep -q "^complete -c ciform -n __fish_use_subcommand -a $v " "$fish_file" && r=ok || r=no
	check $r "fish: the verb $v is not completed"
	for o in $(help_options "$ciform" "$v"); do
		printf '%s\n' "$branch" | grep -q -e "'\*\{0,1\}$o\[" && r=ok || r=no
		check $r "zsh: 'ciform $v' does not complete $o"
		case $o in --*) flag="-l ${o#--}" ;; *) flag="-s ${o#-}" ;; esac
		grep -q -e "^complete -c ciform -n '__fish_seen_subcommand_from $v' $flag " "$fish_file" &&
			r=ok || r=no
		check $r "fish: 'ciform $v' does not complete $o"
	done
done
if command -v zsh >/dev/null 2>&1; then
	zsh -n "$zsh_file" 2>"$work/err" && r=ok || r=no
	check $r "zsh cannot parse _ciform: $(cat "$work/err")"
fi
if command -v fish >/dev/null 2>&1; then
	fish -n "$fish_file" 2>"$work/err" && r=ok || r=no
	check $r "fish cannot parse ciform.fish: $(cat "$work/err")"
fi

finish
