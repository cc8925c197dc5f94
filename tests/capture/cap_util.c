#include "cap_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

long cap_rss_kib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, res = 0;
    if (f) {
        if (fscanf(f, "%ld %ld", &size, &res) != 2)
            res = 0;
        fclose(f);
    }
    return res * (sysconf(_SC_PAGESIZE) / 1024);
}

void cap_sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static const uint8_t bars[8][3] = {
    {255, 255, 255}, {255, 255, 0}, {0, 255, 255}, {0, 255, 0},
    {255, 0, 255}, {255, 0, 0}, {0, 0, 255}, {0, 0, 0},
};

int cap_bars_error(const struct sc_frame *f)
{
    int worst = 0, y = f->h / 3;
    for (int i = 0; i < 8; i++) {
        int x = i * f->w / 8 + f->w / 16;
        const uint8_t *p = f->rgb + ((size_t)y * f->w + x) * 3;
        for (int c = 0; c < 3; c++) {
            int d = abs((int)p[c] - bars[i][c]);
            if (d > worst)
                worst = d;
        }
    }
    return worst;
}

int cap_box_x(const struct sc_frame *f)
{
    int top = f->h * 2 / 3, bh = (f->h - top) / 2;
    int y = top + (f->h - top) / 4 + bh / 2;
    const uint8_t *row = f->rgb + (size_t)y * f->w * 3;
    for (int x = 0; x < f->w; x++)
        if (row[x * 3] > 128 && row[x * 3 + 1] > 128 && row[x * 3 + 2] > 128)
            return x;
    return -1;
}
