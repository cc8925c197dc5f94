#!/usr/bin/env bash
# The manual page covers the program: every option `stylecam --help` prints,
# every entry of the long_opts table in app/cmd/cli.c, the import command's
# options, the download command's (its --help once it has one; until then the
# options the issue lists), every key of app/window/input.c's key table, and
# every STYLECAM_ or XDG_ variable the program reads. The built page (argument
# 1) renders without groff warnings, as lintian checks it.
# Options are looked for as *--name* in man/stylecam.1.scd, keys as *K* in
# its KEYS section.
. "$STYLECAM_SRC/tests/util/lib.sh"
scratch_dir
src=$STYLECAM_SRC
scd=$src/man/stylecam.1.scd
built=${1:?usage: man_coverage.sh BUILT_MAN_PAGE}
[ -r "$scd" ] || fail "cannot read $scd"
missing=0
miss() { echo "missing from man/stylecam.1.scd: $*" >&2; missing=$((missing + 1)); }

# has_opt OPT WHERE: OPT is documented in bold.
has_opt() { grep -qF -- "*$1*" "$scd" || miss "option $1 (from $2); document it as *$1*"; }

# --- options ---------------------------------------------------------------
"$STYLECAM_BIN" --help >"$SCRATCH/help" 2>&1 || fail "stylecam --help failed"
n=0
for o in $(grep -oE -- '(^|[ [,])--?[a-z][a-z0-9-]*' "$SCRATCH/help" | sed 's/^[ [,]//' | sort -u); do
    has_opt "$o" "stylecam --help"
    n=$((n + 1))
done
[ "$n" -ge 20 ] || fail "found only $n options in stylecam --help; has its format changed?"

table=$(sed -n '/long_opts\[\] = {/,/^};/p' "$src/app/cmd/cli.c")
n=0
for o in $(printf '%s\n' "$table" | sed -n 's/^ *{"\([a-z0-9-]*\)".*/\1/p'); do
    has_opt "--$o" "long_opts in app/cmd/cli.c"
    n=$((n + 1))
done
[ "$n" -ge 20 ] || fail "found only $n entries in long_opts of app/cmd/cli.c; has its format changed?"
# The short options: getopt_long's option string.
shorts=$(sed -n 's/.*getopt_long([^"]*"\([a-zA-Z:]*\)".*/\1/p' "$src/app/cmd/cli.c" | tr -d :)
[ -n "$shorts" ] || fail "no getopt_long option string in app/cmd/cli.c"
for ((i = 0; i < ${#shorts}; i++)); do
    has_opt "-${shorts:i:1}" "getopt_long's option string in app/cmd/cli.c"
done

# import prints its usage when called without its two arguments.
"$STYLECAM_BIN" import >"$SCRATCH/import" 2>&1
n=0
for o in $(grep -oE -- '--[a-z][a-z0-9-]*' "$SCRATCH/import" | sort -u); do
    has_opt "$o" "stylecam import's usage"
    n=$((n + 1))
done
[ "$n" -ge 4 ] || fail "found only $n options in stylecam import's usage; has its format changed?"

# download: its own --help when the command exists; the issue's options always.
dl_opts="--list --from --dest"
if "$STYLECAM_BIN" download --help >"$SCRATCH/download" 2>&1; then
    dl_opts="$dl_opts $(grep -oE -- '--[a-z][a-z0-9-]*' "$SCRATCH/download" | sort -u)"
else
    echo "note: 'stylecam download --help' failed; checking the download options the issue names"
fi
for o in $dl_opts; do has_opt "$o" "stylecam download"; done
for w in '*stylecam download*' '*download*'; do
    grep -qF -- "$w" "$scd" || miss "the download command ($w)"
done

# --- keys ------------------------------------------------------------------
keys=$(sed -n '/^# KEYS/,/^# [A-Z]/p' "$scd")
[ -n "$keys" ] || fail "man/stylecam.1.scd has no KEYS section"
key_table=$(sed -n '/key_table\[\] = {/,/^};/p' "$src/app/window/input.c")
n=0
for k in $(printf '%s\n' "$key_table" | grep -oE 'SDLK_[A-Za-z0-9_]+'); do
    n=$((n + 1))
    name=${k#SDLK_}
    case $name in
    [a-z]) want="*${name^^}*" ;;
    [0-9])
        # A digit is named alone or in a range "*1* to *9*".
        printf '%s\n' "$keys" | grep -qF -- "*$name*" && continue
        ok=0
        while read -r a b; do
            [ "$name" -ge "$a" ] && [ "$name" -le "$b" ] && ok=1
        done < <(printf '%s\n' "$keys" | sed -n 's/.*\*\([0-9]\)\* to \*\([0-9]\)\*.*/\1 \2/p')
        [ "$ok" = 1 ] || miss "key $name ($k in app/window/input.c) in KEYS"
        continue ;;
    F[0-9] | F1[0-2]) want="*$name*" ;;
    ESCAPE) want="*Esc*" ;;
    LEFT | RIGHT | UP | DOWN | SPACE | TAB | HOME | END) rest=${name:1}; want="*${name:0:1}${rest,,}*" ;;
    RETURN) want="*Enter*" ;;
    PLUS) want="*+*" ;;
    EQUALS) want="*=*" ;;
    MINUS) want="*-*" ;;
    LEFTBRACKET) want="*[*" ;;
    RIGHTBRACKET) want="*]*" ;;
    KP_PLUS) want="keypad *+*" ;;
    KP_MINUS) want="keypad *-*" ;;
    *) fail "$k in app/window/input.c: this test does not know how the manual names it; add it to tests/install/man_coverage.sh" ;;
    esac
    printf '%s\n' "$keys" | grep -qF -- "$want" || miss "key $want ($k in app/window/input.c) in KEYS"
done
[ "$n" -ge 20 ] || fail "found only $n keys in app/window/input.c's key_table; has its format changed?"

# --- environment -----------------------------------------------------------
env_sec=$(sed -n '/^# ENVIRONMENT/,/^# [A-Z]/p' "$scd")
vars=$(cat "$src"/app/*.c "$src"/app/*/*.c "$src"/common/*.c "$src"/engine/*.c "$src"/import/*.c 2>/dev/null |
    grep -oE '"(STYLECAM|XDG)_[A-Z_]+"' | tr -d '"' | sort -u)
[ -n "$vars" ] || fail "found no STYLECAM_ or XDG_ variable in the sources; has config.c moved?"
for v in $vars; do
    printf '%s\n' "$env_sec" | grep -qF -- "*$v*" || miss "variable $v (read by the program) in ENVIRONMENT"
done

[ "$missing" -eq 0 ] || fail "$missing item(s) missing from the manual page (see above)"
pass "every option, key and variable is in the manual page"

# --- the built page renders cleanly ----------------------------------------
[ -s "$built" ] || fail "the built manual page $built is missing or empty"
if command -v man >/dev/null 2>&1; then
    LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$built" \
        >/dev/null 2>"$SCRATCH/warn" || fail "man could not format $built"
    [ ! -s "$SCRATCH/warn" ] || { cat "$SCRATCH/warn" >&2; fail "groff warns about $built"; }
    pass "the manual page renders without warnings"
else
    echo "note: man is not installed; the rendering check is skipped"
fi
