#!/usr/bin/env bash
# The bash completion (completions/stylecam) as bash calls it: sourced into a
# plain shell (no bash-completion package, extglob off), COMP_WORDS and
# COMP_CWORD set, _stylecam called, COMPREPLY read. Style names come from
# the program's --list-styles, with the styles of ../shared/models.
. "$STYLECAM_SRC/tests/util/lib.sh"
scratch_dir
comp=$STYLECAM_SRC/completions/stylecam
[ -r "$comp" ] || fail "cannot read $comp"
shopt -u extglob
# shellcheck source=../../completions/stylecam
. "$comp" || fail "sourcing $comp failed"
complete -p stylecam | grep -q -- '-F _stylecam' || fail "$comp does not register _stylecam for stylecam"

# complete WORD...: completes the last word; REPLY: the candidates, one a line.
complete_words() {
    COMP_WORDS=("$@")
    COMP_CWORD=$(($# - 1))
    COMP_LINE="$*"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    _stylecam stylecam "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    REPLY=$(printf '%s\n' "${COMPREPLY[@]}" | sort)
}
# expect WHAT CANDIDATE...: each candidate is in REPLY.
expect() {
    _what=$1
    shift
    for _c in "$@"; do
        printf '%s\n' "$REPLY" | grep -qxF -- "$_c" ||
            fail "$_what: '$_c' not offered (offered: ${REPLY//$'\n'/ })"
    done
}
# expect_not WHAT CANDIDATE...: none of them is in REPLY.
expect_not() {
    _what=$1
    shift
    for _c in "$@"; do
        printf '%s\n' "$REPLY" | grep -qxF -- "$_c" && fail "$_what: '$_c' offered"
    done
    return 0
}

bin=$STYLECAM_BIN
complete_words "$bin" ''
expect "commands" stylize bench import download
complete_words "$bin" st
[ "$REPLY" = stylize ] || fail "'st' completes to '$REPLY', expected stylize"
complete_words "$bin" --st
expect "options" --style --stabilize
complete_words "$bin" --
expect "live options" --style --models --list-styles --device --size --input --headless \
    --record --record-dir --record-quality --infer-size --help --version
expect_not "live options" --force --channels --json
complete_words "$bin" --record-quality ''
expect "--record-quality values" normal high lossless
complete_words "$bin" --record-quality = l
[ "$REPLY" = lossless ] || fail "--record-quality=l completes to '$REPLY'"
complete_words "$bin" --stabilize s
[ "$REPLY" = strong ] || fail "--stabilize s completes to '$REPLY'"
complete_words "$bin" import --
expect "import options" --models --channels --input-range --output-range --force
complete_words "$bin" import m.onnx n --channels ''
expect "--channels values" rgb bgr
complete_words "$bin" download --
expect "download options" --list --from --dest
complete_words "$bin" download ''
expect "download styles" all johnson
# The names come from `stylecam download --list` once the command has it.
if "$bin" download --list >/dev/null 2>&1; then
    expect "download styles" udnie johnson_candy
    expect_not "download styles" The Johnson
fi
complete_words "$bin" bench --
expect "bench options" --json --recorder --flicker --size --frames

# Style names from --list-styles: the built-in one, and those of a --models
# given earlier on the line.
export XDG_DATA_HOME=$SCRATCH/data STYLECAM_MODELS=
complete_words "$bin" --style ''
expect "built-in style" sketch
shared_models=$STYLECAM_SHARED/models
[ -d "$shared_models" ] || fail "no $shared_models (the shared data)"
want=$(find "$shared_models" -mindepth 2 -maxdepth 2 -name manifest.json | head -n 1)
want=$(basename "$(dirname "$want")")
[ -n "$want" ] || fail "no style folder in $shared_models"
complete_words "$bin" --models "$shared_models" --style ''
expect "styles of --models" sketch "$want"
complete_words "$bin" stylize --models "$shared_models" --style "${want:0:2}"
expect "style prefix" "$want"
expect_not "style prefix" sketch

# Files: the inputs of stylize, a .onnx for import, folders for --models.
mkdir -p "$SCRATCH/w/sub"
: >"$SCRATCH/w/a.png"
: >"$SCRATCH/w/b.jpg"
: >"$SCRATCH/w/c.txt"
: >"$SCRATCH/w/net.onnx"
cd "$SCRATCH/w" || fail "cd"
complete_words "$bin" stylize --style sketch ''
expect "stylize files" a.png b.jpg sub
expect_not "stylize files" c.txt
complete_words "$bin" import ''
expect "import files" net.onnx sub
expect_not "import files" a.png
complete_words "$bin" --models ''
expect "--models folders" sub
expect_not "--models folders" a.png
complete_words "$bin" --input ''
expect "--input" test a.png c.txt sub
pass "commands, options, values, style names and files complete"
