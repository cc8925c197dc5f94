/* Area-averaging resize of packed RGB frames (downscaling for --infer-size). */
#ifndef SC_RESIZE_H
#define SC_RESIZE_H

#include <stdint.h>

/* dst (dw x dh) from src (sw x sh); any sizes, box filter when shrinking,
 * nearest neighbour when growing. */
void sc_resize_rgb(const uint8_t *src, int sw, int sh, uint8_t *dst, int dw, int dh);

#endif
