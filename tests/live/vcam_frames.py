#!/usr/bin/env python3
"""Reads what the emulated v4l2loopback device received (a raw dump of
whole frames) for tests/live/vcam.sh. Plain Python, no NumPy.

  vcam_frames.py count DUMP W H FMT
      prints the number of frames; fails when the dump is not whole frames
  vcam_frames.py check DUMP W H FMT REF.rgb INPUT.rgb
      the last frame against REF (the stylized picture, packed RGB24) and
      INPUT (the camera's picture): luma equal to REF's BT.601 limited-range
      luma within 1 level; chroma of flat areas (a YUYV pair, an I420 2x2
      block of one colour) within 2 levels; decoded back to RGB, close to
      REF and far from INPUT. Prints the figures.
FMT is YUYV or YU12 (I420)."""
import sys


def frame_size(w, h, fmt):
    return w * h * 2 if fmt == 'YUYV' else w * h + 2 * (w // 2) * (h // 2)


def fail(msg):
    print('FAIL: ' + msg, file=sys.stderr)
    sys.exit(1)


def planes(frame, w, h, fmt):
    """Y (w*h) and, per pixel, the U and V it is decoded with."""
    if fmt == 'YUYV':
        y = frame[0::2]
        u = [frame[(i // 2) * 4 + 1] for i in range(w * h)]
        v = [frame[(i // 2) * 4 + 3] for i in range(w * h)]
        return bytes(y), u, v
    cw = w // 2
    y = frame[:w * h]
    up = frame[w * h:w * h + cw * (h // 2)]
    vp = frame[w * h + cw * (h // 2):]
    u = [up[(i // w // 2) * cw + (i % w) // 2] for i in range(w * h)]
    v = [vp[(i // w // 2) * cw + (i % w) // 2] for i in range(w * h)]
    return y, u, v


def rgb_to_yuv(r, g, b):
    y = 16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255
    u = 128 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255
    v = 128 + (112.0 * r - 93.786 * g - 18.214 * b) / 255
    return y, u, v


def clamp(x):
    return 0 if x < 0 else 255 if x > 255 else int(round(x))


def yuv_to_rgb(y, u, v):
    c, d, e = 1.164383 * (y - 16), u - 128, v - 128
    return clamp(c + 1.596027 * e), clamp(c - 0.391762 * d - 0.812968 * e), clamp(c + 2.017232 * d)


def flat(ref, w, h, i, fmt):
    """Whether the chroma sample pixel i belongs to covers one colour."""
    x, yy = i % w, i // w
    px = [(x & ~1, yy), ((x & ~1) + 1, yy)]
    if fmt != 'YUYV':
        px += [(x & ~1, yy ^ 1), ((x & ~1) + 1, yy ^ 1)]
    cols = {ref[(b * w + a) * 3:(b * w + a) * 3 + 3] for a, b in px if a < w and b < h}
    return len(cols) == 1


def main():
    cmd, dump, w, h, fmt = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    data = open(dump, 'rb').read()
    size = frame_size(w, h, fmt)
    if len(data) % size:
        fail(f'the dump holds {len(data)} bytes, not whole {size}-byte frames')
    if cmd == 'count':
        print(len(data) // size)
        return
    if not data:
        fail('no frame arrived')
    ref, inp = open(sys.argv[6], 'rb').read(), open(sys.argv[7], 'rb').read()
    if len(ref) != w * h * 3 or len(inp) != w * h * 3:
        fail('the reference pictures are not the frame size')
    y, u, v = planes(data[-size:], w, h, fmt)
    dy = dc = 0
    nflat = 0
    err = err_in = 0
    for i in range(w * h):
        r, g, b = ref[i * 3:i * 3 + 3]
        ey, eu, ev = rgb_to_yuv(r, g, b)
        dy = max(dy, abs(y[i] - ey))
        if flat(ref, w, h, i, fmt):
            nflat += 1
            dc = max(dc, abs(u[i] - eu), abs(v[i] - ev))
        back = yuv_to_rgb(y[i], u[i], v[i])
        err += sum(abs(back[k] - ref[i * 3 + k]) for k in range(3))
        err_in += sum(abs(back[k] - inp[i * 3 + k]) for k in range(3))
    mean, mean_in = err / (w * h * 3), err_in / (w * h * 3)
    print(f'{fmt}: luma within {dy:.2f} of BT.601 limited range, chroma within {dc:.2f} '
          f'over {nflat} flat pixels; decoded back: {mean:.2f} levels from the stylized '
          f'picture on average, {mean_in:.1f} from the camera picture')
    if dy > 1.5:
        fail(f'luma is {dy:.2f} levels off')
    if nflat < w * h // 10:
        fail('too few flat areas to judge the chroma')
    if dc > 2.0:
        fail(f'chroma is {dc:.2f} levels off in flat areas')
    if mean > (4 if fmt == 'YUYV' else 6):
        fail(f'the frame is {mean:.2f} levels from the stylized picture on average')
    if mean_in < 5 * mean or mean_in < 20:
        fail(f'the frame is as close to the camera picture ({mean_in:.1f}) as to the '
             f'stylized one ({mean:.2f})')


if __name__ == '__main__':
    main()
