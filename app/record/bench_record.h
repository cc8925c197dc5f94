/* `stylecam bench --record`: how fast the recorder encodes. */
#ifndef SC_BENCH_RECORD_H
#define SC_BENCH_RECORD_H

#include <stdio.h>

#include "common/status.h"

/* Encodes `frames` synthetic w x h frames (made before timing starts) at
 * each --record-quality (normal, high, lossless) into a temporary .mkv,
 * which is removed, and prints the rate and bit rate of each to out. Returns SC_OK or the recorder's error (also printed). */
enum sc_status sc_record_bench(int w, int h, int frames, FILE *out);

#endif
