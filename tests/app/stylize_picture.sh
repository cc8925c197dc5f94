#!/bin/sh
# stylecam stylize --style-image: the picture's predicted vector exactly, the
# content's size, within PSNR 35 dB of TensorFlow Lite's own output
# (../shared/golden-arbitrary); and the sentences of what can go wrong: no
# networks, damaged networks, a picture that cannot be a style.
set -u
. "$(dirname "$0")/../util/lib.sh"
: "${STYLECAM_BIN:?set STYLECAM_BIN to the stylecam program}"
: "${STYLECAM_SHARED:?set STYLECAM_SHARED to ../shared}"
need_tools compare identify
G=$STYLECAM_SHARED/golden-arbitrary
scratch_dir
W=$SCRATCH
M=$W/models

# expect_fail WHAT PATTERN ARGS...: exit 1 and one sentence matching PATTERN.
expect_fail() {
    _what=$1 _pat=$2
    shift 2
    "$STYLECAM_BIN" stylize "$@" 2>"$W/err" && fail "$_what: stylize succeeded"
    [ $? -eq 1 ] || fail "$_what: exit status not 1"
    grep -q -- "$_pat" "$W/err" || { cat "$W/err"; fail "$_what: no '$_pat'"; }
    [ ! -e "$W/out.png" ] || fail "$_what: an output was written"
}

expect_fail "no networks" "not installed.*run 'stylecam download arbitrary'" \
    --models "$M" --style-image "$G/style_coffee_256.png" "$G/chelsea_384.png" "$W/out.png"

"$STYLECAM_BIN" download --from "$STYLECAM_SHARED/models-arbitrary" --dest "$M" arbitrary \
    >"$W/dl" 2>&1 || { cat "$W/dl"; fail "stylecam download arbitrary failed"; }

"$STYLECAM_BIN" stylize --models "$M" --style-image "$G/style_coffee_256.png" \
    "$G/chelsea_384.png" "$W/out.png" 2>"$W/err" ||
    { cat "$W/err"; fail "stylize --style-image failed with the networks installed"; }
[ "$(identify -format '%wx%h' "$W/out.png")" = 384x384 ] || fail "the output is not 384x384"
psnr=$(compare -metric PSNR "$W/out.png" "$G/chelsea_384.coffee.png" null: 2>&1)
awk_check '$1 == "inf" || $1 >= 35' "$psnr" || fail "PSNR $psnr dB against TFLite's output (35 needed)"
pass "stylize --style-image: 384x384, PSNR $psnr dB against TFLite"

# Every reference the TFLite runtime made (tests/arbitrary/refs): other style
# pictures, and contents of other sizes, through the command as a user runs it.
R=$STYLECAM_SRC/tests/arbitrary/refs
n=0
for ref in "$R"/chelsea_*x*.*.png; do
    base=${ref##*/}; size=${base#chelsea_}; size=${size%%.*}; style=${base#chelsea_"$size".}
    style=${style%.png}
    pic=$R/style_${style}_256.png; [ -f "$pic" ] || pic=$G/style_${style}_256.png
    content=$R/chelsea_$size.png; [ -f "$content" ] || content=$G/chelsea_384.png
    "$STYLECAM_BIN" stylize --models "$M" --style-image "$pic" "$content" "$W/r.png" 2>"$W/err" ||
        { cat "$W/err"; fail "stylize failed for $base"; }
    [ "$(identify -format '%wx%h' "$W/r.png")" = "$size" ] || fail "$base: output is not $size"
    psnr=$(compare -metric PSNR "$W/r.png" "$ref" null: 2>&1)
    awk_check '$1 == "inf" || $1 >= 35' "$psnr" || fail "$base: PSNR $psnr dB (35 needed)"
    echo "  $base: PSNR $psnr dB"
    n=$((n + 1))
done
[ "$n" -ge 5 ] || fail "only $n references found in $R"
pass "stylize --style-image against $n more TFLite references, each PSNR >= 35 dB"
rm -f "$W/out.png"

printf 'no picture\n' >"$W/notes.png"
expect_fail "not an image" "$W/notes.png is not a picture stylecam can read" \
    --models "$M" --style-image "$W/notes.png" "$G/chelsea_384.png" "$W/out.png"
expect_fail "absent picture" "Cannot open the style picture $W/absent.png" \
    --models "$M" --style-image "$W/absent.png" "$G/chelsea_384.png" "$W/out.png"

# Damaged networks: a truncated weights file in a copy of each.
for net in predict transfer; do
    rm -rf "$W/bad"
    cp -r "$M" "$W/bad"
    f=$W/bad/arbitrary/$net/weights.bin
    [ -f "$f" ] || f=$(find "$W/bad/arbitrary/$net" -type f ! -name manifest.json | head -n1)
    head -c 1000 "$f" >"$W/trunc" && mv "$W/trunc" "$f"
    expect_fail "damaged $net network" "is damaged.*run 'stylecam download arbitrary' again" \
        --models "$W/bad" --style-image "$G/style_coffee_256.png" "$G/chelsea_384.png" "$W/out.png"
done
pass "bad pictures and damaged networks: one sentence each, exit 1, nothing written"
