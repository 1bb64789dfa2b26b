#!/usr/bin/env bash
# Terminal conventions: completion scripts, man pages, --color, the pager, --help.
# No root needed. Terminal-only behaviour runs under script(1) (a pty).
cd "$(dirname "$0")/../.."
. tests/func/lib.sh
SHARED=${RETE_SHARED:-../shared}
EVENTS=$SHARED/reference/retis-events/test_events.json

if [ ! -x "$RETE" ]; then
	skip terminal "$RETE not built"
	exit 0
fi

# ---- completion --------------------------------------------------------------

"$RETE" sh-complete --shell bash >"$TMP/rete.bash" 2>"$TMP/err"
check complete_bash_generated test -s "$TMP/rete.bash"
check complete_bash_syntax bash -n "$TMP/rete.bash"

# Profiles for -p completion, found through $HOME.
mkdir -p "$TMP/home/.config/rete/profiles"
cp profiles/*.yaml "$TMP/home/.config/rete/profiles/"

# bash_query WORDS...: COMPREPLY for the last word, as bash's completion would call _rete.
bash_query() {
	HOME=$TMP/home bash -c '
		source "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=()
		_rete
		printf "%s\n" "${COMPREPLY[@]}"' _ "$TMP/rete.bash" "$@"
}

# expect_completion NAME WANT WORDS...: WANT is one of the completions.
expect_completion() {
	local name=$1 want=$2 out
	shift 2
	out=$(bash_query "$@" 2>&1)
	if grep -qxF -- "$want" <<<"$out"; then
		pass "$name"
	else
		fail "$name" "'$*<TAB>' gave: $(tr '\n' ' ' <<<"$out")"
	fi
}

# expect_no_completion NAME UNWANTED WORDS...
expect_no_completion() {
	local name=$1 unwanted=$2 out
	shift 2
	out=$(bash_query "$@" 2>&1)
	if grep -qxF -- "$unwanted" <<<"$out"; then
		fail "$name" "'$*<TAB>' gave $unwanted: $(tr '\n' ' ' <<<"$out")"
	else
		pass "$name"
	fi
}

expect_completion complete_bash_option --filter-packet "$RETE" collect --fil
expect_completion complete_bash_option_mode --filter-mode "$RETE" collect --fil
expect_no_completion complete_bash_option_scoped --max-buffer "$RETE" collect --ma
expect_completion complete_bash_command collect "$RETE" col
expect_completion complete_bash_command_after_global print "$RETE" --log-level debug pr
expect_completion complete_bash_global_option --log-level "$RETE" --lo
expect_completion complete_bash_log_level debug "$RETE" --log-level d
expect_completion complete_bash_format single-line "$RETE" print --format s
expect_completion complete_bash_filter_mode strict "$RETE" collect --filter-mode ""
expect_completion complete_bash_collectors skb-drop,dev "$RETE" collect -c skb-drop,d
expect_completion complete_bash_skb_sections meta,gso "$RETE" collect --skb-sections meta,g
expect_completion complete_bash_color never "$RETE" sort --color n
expect_completion complete_bash_shell fish "$RETE" sh-complete --shell f
expect_completion complete_bash_profile dropmon "$RETE" -p dr
expect_completion complete_bash_profile_list dropmon,ifdump "$RETE" -p dropmon,if
expect_completion complete_bash_file tests/func/test_terminal.sh "$RETE" print tests/func/test_term
expect_completion complete_bash_out_file tests/func/test_terminal.sh "$RETE" sort -o tests/func/test_term
expect_completion complete_bash_extra_dir tests/func "$RETE" -P tests/fu
expect_completion complete_bash_man_page collect "$RETE" man coll
expect_completion complete_bash_profile_sub list "$RETE" profile l
expect_completion complete_bash_optional_value --print "$RETE" collect -o --pr
expect_no_completion complete_bash_probe_free dropmon "$RETE" collect -p dr

if command -v zsh >/dev/null; then
	"$RETE" sh-complete --shell zsh >"$TMP/_rete"
	check complete_zsh_syntax zsh -n "$TMP/_rete"
	out=$(zsh -fc 'autoload -Uz compinit && compinit -u -d "$1/zcompdump" && source "$1/_rete" &&
		print -r -- $_comps[rete]' _ "$TMP" 2>&1)
	[ "$out" = _rete ] && pass complete_zsh_loads || fail complete_zsh_loads "$out"
else
	skip complete_zsh "zsh is not installed"
fi

if command -v fish >/dev/null; then
	"$RETE" sh-complete --shell fish >"$TMP/rete.fish"
	check complete_fish_syntax fish -n "$TMP/rete.fish"
	out=$(HOME=$TMP/home fish -c 'source $argv[1]; complete -C "rete collect --fil"' "$TMP/rete.fish" 2>&1)
	grep -q '^--filter-packet' <<<"$out" && pass complete_fish_option || fail complete_fish_option "$out"
	out=$(fish -c 'source $argv[1]; complete -C "rete collect -c skb,d"' "$TMP/rete.fish" 2>&1)
	grep -q '^skb,dev' <<<"$out" && pass complete_fish_list || fail complete_fish_list "$out"
	out=$(fish -c 'source $argv[1]; complete -C "rete --log-level "' "$TMP/rete.fish" 2>&1)
	grep -q '^trace' <<<"$out" && pass complete_fish_value || fail complete_fish_value "$out"
else
	skip complete_fish "fish is not installed"
fi

out=$("$RETE" sh-complete 2>&1 >/dev/null)
[ $? -eq 2 ] && grep -q 'give --shell bash, zsh or fish' <<<"$out" && pass complete_needs_shell ||
	fail complete_needs_shell "$out"
out=$("$RETE" sh-complete --shell bsh 2>&1 >/dev/null)
[ $? -eq 2 ] && grep -q "unknown shell 'bsh' (did you mean 'bash'?)" <<<"$out" &&
	pass complete_bad_shell || fail complete_bad_shell "$out"

# ---- man pages ----------------------------------------------------------------

pages=$("$RETE" man --list)
[ "$(head -1 <<<"$pages")" = rete ] && grep -qx rete-collect <<<"$pages" && pass man_list ||
	fail man_list "$pages"
mkdir -p "$TMP/man"
for page in $pages; do
	"$RETE" man "$page" >"$TMP/man/$page.1" || { fail "man_$page" "rete man $page failed"; continue; }
	warn=$(groff -ww -z -man "$TMP/man/$page.1" 2>&1)
	if [ -n "$warn" ]; then
		fail "man_${page}_groff" "$warn"
	else
		pass "man_${page}_groff"
	fi
	if command -v man >/dev/null; then
		warn=$(MANWIDTH=80 man --warnings -l "$TMP/man/$page.1" 2>&1 >/dev/null)
		[ -z "$warn" ] && pass "man_${page}_man" || fail "man_${page}_man" "$warn"
	fi
	# Every option of the table (as --help lists it) is in the rendered page.
	if [ "$page" = rete ]; then help=$("$RETE" --help); else help=$("$RETE" "${page#rete-}" --help); fi
	text=$(MANWIDTH=250 man -l "$TMP/man/$page.1" 2>/dev/null | col -b)
	missing=
	for opt in $(grep -oE '^  (-[A-Za-z], )?--?[a-z][a-z-]*|^  -[A-Za-z]' <<<"$help" | grep -oE -- '--?[a-zA-Z][a-z-]*'); do
		grep -qE -- "(^|[ ,])$opt([ ,]|$)" <<<"$text" || missing+=" $opt"
	done
	[ -z "$missing" ] && pass "man_${page}_options" || fail "man_${page}_options" "missing:$missing"
done
out=$("$RETE" man colect 2>&1 >/dev/null)
[ $? -eq 2 ] && grep -q "did you mean 'collect'" <<<"$out" && pass man_unknown || fail man_unknown "$out"
"$RETE" man collect | grep -q '^\.TH RETE\\-COLLECT 1' && pass man_by_command || fail man_by_command ""

# ---- --help -------------------------------------------------------------------

for page in $pages; do
	[ "$page" = rete ] && continue
	cmd=${page#rete-}
	"$RETE" "$cmd" --help | grep -q '^Examples:' && pass "help_examples_$cmd" ||
		fail "help_examples_$cmd" "no Examples in rete $cmd --help"
done

# ---- --color ------------------------------------------------------------------

esc=$'\033'
if [ ! -r "$EVENTS" ]; then
	skip color "$EVENTS missing"
else
	out=$("$RETE" print --color always "$EVENTS")
	grep -q "${esc}\[1m\[k\] tcp_v4_rcv${esc}\[0m ${esc}\[33m#" <<<"$out" && pass color_always ||
		fail color_always "no colored probe/id"
	"$RETE" print --color never "$EVENTS" | grep -q "$esc" && fail color_never "escapes" || pass color_never
	"$RETE" print "$EVENTS" | grep -q "$esc" && fail color_auto_pipe "escapes" || pass color_auto_pipe
	"$RETE" sort --color always "$EVENTS" | grep -q "${esc}\[33m#" && pass color_sort ||
		fail color_sort "no colored id"
	cmp -s <("$RETE" print --color never "$EVENTS") <("$RETE" print "$EVENTS" | cat) &&
		pass color_default_unchanged || fail color_default_unchanged "differs"
fi
out=$("$RETE" print --color sometimes "$EVENTS" 2>&1 >/dev/null)
[ $? -eq 2 ] && grep -q "invalid color mode 'sometimes' (expected auto, always or never)" <<<"$out" &&
	pass color_bad_print || fail color_bad_print "$out"
out=$("$RETE" collect --color sometimes 2>&1 >/dev/null)
[ $? -eq 2 ] && grep -q "invalid color mode 'sometimes'" <<<"$out" && pass color_bad_collect ||
	fail color_bad_collect "$out"

# A drop line is red (a synthetic event with an skb-drop section).
printf '%s\n' '{"common":{"timestamp":1,"task":{"pid":1,"tgid":1,"comm":"x"}},"kernel":{"symbol":"skb:kfree_skb","probe_type":"raw_tracepoint"},"skb-drop":{"drop_reason":"NO_SOCKET"}}' >"$TMP/drop.json"
"$RETE" print --color always "$TMP/drop.json" 2>/dev/null | grep -q "${esc}\[31mdrop (reason NO_SOCKET)${esc}\[0m" &&
	pass color_drop_red || fail color_drop_red "$("$RETE" print --color always "$TMP/drop.json" 2>&1 | cat -v)"

# ---- terminal-only behaviour: auto colors, the pager ------------------------------

# on_tty CMD: run CMD (a shell string) with stdout and stderr on a pty.
on_tty() { script -qefc "$1" /dev/null; }

if ! command -v script >/dev/null || ! script -qefc true /dev/null >/dev/null 2>&1; then
	skip tty "script(1) from bsdutils is missing or cannot open a pty"
elif [ ! -r "$EVENTS" ]; then
	skip tty "$EVENTS missing"
else
	export RETE EVENTS TMP
	on_tty 'PAGER="cat > $TMP/paged" NO_COLOR= "$RETE" print "$EVENTS"' >"$TMP/tty.out" 2>&1
	if [ -s "$TMP/paged" ] && [ "$(grep -c . "$TMP/paged")" -eq "$("$RETE" print "$EVENTS" | grep -c .)" ]; then
		pass pager_print
	else
		fail pager_print "pager got: $(head -3 "$TMP/paged" 2>&1)"
	fi
	grep -q "$esc\[1m" "$TMP/paged" && pass color_auto_tty || fail color_auto_tty "no escapes on a terminal"
	rm -f "$TMP/paged"
	on_tty 'PAGER="cat > $TMP/paged" NO_COLOR=1 "$RETE" sort "$EVENTS"' >/dev/null 2>&1
	[ -s "$TMP/paged" ] && pass pager_sort || fail pager_sort "no paged output"
	grep -q "$esc" "$TMP/paged" 2>/dev/null && fail color_no_color "escapes with NO_COLOR" || pass color_no_color
	rm -f "$TMP/paged"
	on_tty 'PAGER="cat > $TMP/paged" "$RETE" print --no-pager "$EVENTS"' >"$TMP/tty.out" 2>&1
	[ ! -e "$TMP/paged" ] && grep -q 'tcp_v4_rcv' "$TMP/tty.out" && pass pager_no_pager ||
		fail pager_no_pager "pager ran or no output"
	on_tty 'PAGER="cat > $TMP/paged" "$RETE" sort -o "$TMP/s.json" "$EVENTS"' >/dev/null 2>&1
	[ ! -e "$TMP/paged" ] && pass pager_sort_out_none || fail pager_sort_out_none "pager ran for sort -o"
	PAGER="cat > $TMP/paged" "$RETE" print "$EVENTS" >/dev/null
	[ ! -e "$TMP/paged" ] && pass pager_not_tty || fail pager_not_tty "pager ran without a terminal"
	# A pager that quits at once: rete stops quietly with success.
	for i in $(seq 200); do cat "$EVENTS"; done | grep -v '"startup"' >"$TMP/big.json"
	on_tty 'PAGER="head -n 1" timeout 20 "$RETE" print "$TMP/big.json"; echo "rc=$?"' >"$TMP/tty.out" 2>&1
	if grep -q 'rc=0' "$TMP/tty.out" && ! grep -qi 'error\|broken pipe' "$TMP/tty.out"; then
		pass pager_quits_early
	else
		fail pager_quits_early "$(tail -3 "$TMP/tty.out" | cat -v)"
	fi
	on_tty 'PAGER=/nonexistent/pager "$RETE" print "$EVENTS"; echo "rc=$?"' >"$TMP/tty.out" 2>&1
	if grep -q 'cannot run the pager' "$TMP/tty.out" && grep -q 'tcp_v4_rcv' "$TMP/tty.out" &&
		grep -q 'rc=0' "$TMP/tty.out"; then
		pass pager_missing
	else
		fail pager_missing "$(tail -3 "$TMP/tty.out" | cat -v)"
	fi
	on_tty 'PAGER= "$RETE" print "$EVENTS" | head -1; PAGER=cat "$RETE" print "$EVENTS"' >"$TMP/tty.out" 2>&1
	grep -q 'tcp_v4_rcv' "$TMP/tty.out" && pass pager_empty_or_cat || fail pager_empty_or_cat "no output"
fi

# ---- errors that teach ---------------------------------------------------------

out=$("$RETE" collect --skb-sections meta,gsoo 2>&1 >/dev/null)
[ $? -eq 2 ] && grep -q "unknown skb section 'gsoo' (did you mean 'gso'?)" <<<"$out" &&
	pass error_skb_section_suggest || fail error_skb_section_suggest "$out"

# ---- make install: binary, profiles, every man page, bash completion -------------

if ! kernel_independent install_staged; then
	:
elif ! command -v make >/dev/null; then
	skip install_staged "make is not installed"
else
	out=$(make --no-print-directory install DESTDIR="$TMP/stage" PREFIX=/usr BUILD="${BUILD:-build}" 2>&1)
	missing=""
	for p in $("$RETE" man --list); do
		[ -s "$TMP/stage/usr/share/man/man1/$p.1" ] || missing="$missing $p.1"
	done
	for f in bin/rete share/rete/profiles/dropmon.yaml share/bash-completion/completions/rete; do
		[ -s "$TMP/stage/usr/$f" ] || missing="$missing $f"
	done
	if [ -z "$missing" ] && bash -n "$TMP/stage/usr/share/bash-completion/completions/rete" &&
		{ ! command -v man >/dev/null ||
			man -l "$TMP/stage/usr/share/man/man1/rete-collect.1" 2>/dev/null | grep -q -- '--filter-packet'; }; then
		pass install_staged
	else
		fail install_staged "missing:$missing; $(tail -3 <<<"$out")"
	fi
fi
