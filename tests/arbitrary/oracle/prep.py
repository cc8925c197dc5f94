#!/usr/bin/env python3
"""Input pictures for the oracle, with OpenCV.

  prep.py SRC WxH OUT.png

Centre-crops SRC to the aspect ratio of W×H (the larger side is cut, the
offset is (size - cut) // 2), then resizes to W×H with INTER_AREA; writes an
8-bit RGB PNG. Style pictures are 256x256, content pictures any W×H.
(The golden files in ../shared/golden-arbitrary are made the same way:
coffee.png 400x400 → 256x256, chelsea.png 300x300 → 384x384.)
"""
import sys

import cv2


def crop_resize(img, W, H):
    h, w = img.shape[:2]
    if w * H > h * W:        # too wide: cut the width
        cw = round(h * W / H)
        x = (w - cw) // 2
        img = img[:, x:x + cw]
    elif w * H < h * W:      # too tall: cut the height
        ch = round(w * H / W)
        y = (h - ch) // 2
        img = img[y:y + ch]
    return cv2.resize(img, (W, H), interpolation=cv2.INTER_AREA)


def main():
    src, size, out = sys.argv[1:4]
    W, H = (int(x) for x in size.split('x'))
    img = cv2.imread(src, cv2.IMREAD_COLOR)   # 8-bit BGR, alpha dropped
    if img is None:
        sys.exit('prep.py: cannot read ' + src)
    if not cv2.imwrite(out, crop_resize(img, W, H), [cv2.IMWRITE_PNG_COMPRESSION, 9]):
        sys.exit('prep.py: cannot write ' + out)


if __name__ == '__main__':
    main()
