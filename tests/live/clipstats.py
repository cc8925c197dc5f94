#!/usr/bin/env python3
"""Frame statistics of decoded clips, for the stabilization tests.

usage: clipstats.py W H OFF.rgb ON.rgb
OFF and ON are raw rgb24 frames (ffmpeg -f rawvideo -pix_fmt rgb24) of the
same input stylized with --stabilize off and on. Prints, in levels 0..255:
  frames N
  flicker_off X    mean |O_t - O_t-1| of OFF
  flicker_on X     the same of ON
  fidelity X       mean |ON_t - OFF_t| (how far stabilizing moved the picture)
  frozen X         mean |OFF_t - OFF_0| (what a frozen picture would score)
Pure Python: the clips are small and the test machine has no numpy.
"""
import sys


def frames(path, size):
    data = open(path, 'rb').read()
    if len(data) % size or not data:
        sys.exit(f'{path}: {len(data)} bytes is not a whole number of {size}-byte frames')
    return [data[i:i + size] for i in range(0, len(data), size)]


def mad(a, b):
    return sum(abs(x - y) for x, y in zip(a, b)) / len(a)


def main():
    w, h = int(sys.argv[1]), int(sys.argv[2])
    off, on = frames(sys.argv[3], w * h * 3), frames(sys.argv[4], w * h * 3)
    if len(off) != len(on):
        sys.exit(f'the clips hold {len(off)} and {len(on)} frames')
    n = len(off)
    pairs = range(1, n)
    print('frames', n)
    print('flicker_off %.4f' % (sum(mad(off[t], off[t - 1]) for t in pairs) / (n - 1)))
    print('flicker_on %.4f' % (sum(mad(on[t], on[t - 1]) for t in pairs) / (n - 1)))
    print('fidelity %.4f' % (sum(mad(on[t], off[t]) for t in range(n)) / n))
    print('frozen %.4f' % (sum(mad(off[t], off[0]) for t in pairs) / (n - 1)))


main()
