/* 3x3 stride-1 SAME convolution by Winograd F(4x4, 3x3) (Lavin & Gray):
 * Y = A^T [ (G g G^T) . (B^T d B) ] A on 6x6 input tiles giving 4x4 outputs.
 * Three kernels: the input transform, 36 independent GEMMs (one per
 * transform position), the output transform. The filter transform G g G^T
 * runs once on the host at upload. Large planes go in chunks of tile rows
 * (ty0 the chunk's first), so the scratch stays bounded. Tensors:
 *   V [36][C][T]   transformed input tiles   (T = tile count, padded to TP)
 *   U [36][C][OC]  transformed filters
 *   M [36][OC][T]  their products */

/* B^T x for one 6-vector (x0..x5) -> r0..r5. */
#define BT6(x0, x1, x2, x3, x4, x5, r0, r1, r2, r3, r4, r5) do { \
    r0 = 4.0f * (x0) - 5.0f * (x2) + (x4);                        \
    r1 = -4.0f * ((x1) + (x2)) + (x3) + (x4);                     \
    r2 = 4.0f * ((x1) - (x2)) - (x3) + (x4);                      \
    r3 = -2.0f * ((x1) - (x3)) - (x2) + (x4);                     \
    r4 = 2.0f * ((x1) - (x3)) - (x2) + (x4);                      \
    r5 = 4.0f * (x1) - 5.0f * (x3) + (x5);                        \
} while (0)

/* A^T m for one 6-vector -> 4 outputs. */
#define AT6(m0, m1, m2, m3, m4, m5, r0, r1, r2, r3) do { \
    r0 = (m0) + (m1) + (m2) + (m3) + (m4);               \
    r1 = (m1) - (m2) + 2.0f * ((m3) - (m4));             \
    r2 = (m1) + (m2) + 4.0f * ((m3) + (m4));             \
    r3 = (m1) - (m2) + 8.0f * ((m3) - (m4)) + (m5);      \
} while (0)

/* The previous layer's instance norm applied as values are loaded (so its
 * output never goes through memory; plan.c fuse_norms): mode 0 none,
 * 1 y = a (x - m) + b, 2 then max(y, 0). The arithmetic is norm_apply's,
 * so are the bits. Here each input value is loaded about twice, so the
 * cost is small; the direct kernels reload values for every channel block
 * and lost more than the saved pass, so only this transform takes it. */
struct sc_pre {
    float a, m, b;
    int mode;
};

inline struct sc_pre sc_pre_of(__global const float2 *st, __global const float *scale,
                               __global const float *shift, int mode, int c)
{
    struct sc_pre p = {1.0f, 0.0f, 0.0f, mode};
    if (mode) {
        float2 s = st[c];
        p.a = scale[c] * s.y;
        p.m = s.x;
        p.b = shift[c];
    }
    return p;
}

inline float16 sc_pre16(float16 v, struct sc_pre p)
{
    if (!p.mode)
        return v;
    float16 y = fma(v - p.m, (float16)(p.a), (float16)(p.b));
    return p.mode == 2 ? fmax(y, 0.0f) : y;
}

inline float sc_pre1(float v, struct sc_pre p)
{
    if (!p.mode)
        return v;
    float y = fma(v - p.m, p.a, p.b);
    return p.mode == 2 ? fmax(y, 0.0f) : y;
}

/* sc_at through the norm: padding stays 0. */
inline float sc_pre_at(__global const float *row, int x, int W, struct sc_pre p)
{
    return x >= 0 && x < W ? sc_pre1(row[x], p) : 0.0f;
}

/* A work item transforms 16 neighbouring tiles of one tile row and one
 * channel; vector lanes are tiles. Tile tx reads input columns
 * 4tx-pad_x .. +5, so the 16 tiles share one 66-value row segment, read as
 * whole vectors and split by 4 into the six columns each tile needs. The
 * 36 results are whole-vector stores that continue the neighbouring item's
 * (one sequential stream per transform position). */
inline void wi_segment(__global const float *row, int x0, int W, int nval, float16 *q0,
                       float16 *q1, float16 *q2, float16 *q3, float2 *q4, struct sc_pre p)
{
    if (x0 >= 0 && x0 + 66 <= W) {
        *q0 = sc_pre16(vload16(0, row + x0), p);
        *q1 = sc_pre16(vload16(1, row + x0), p);
        *q2 = sc_pre16(vload16(2, row + x0), p);
        *q3 = sc_pre16(vload16(3, row + x0), p);
        *q4 = (float2)(sc_pre1(row[x0 + 64], p), sc_pre1(row[x0 + 65], p));
    } else if (x0 == -1 && 65 <= W) {   /* SAME padding 1: the segment starts at -1 */
        float16 z = (float16)(0.0f), a0 = sc_pre16(vload16(0, row), p),
                a1 = sc_pre16(vload16(1, row), p), a2 = sc_pre16(vload16(2, row), p),
                a3 = sc_pre16(vload16(3, row), p);
        uint16 sh = (uint16)(15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30);
        *q0 = shuffle2(z, a0, sh);
        *q1 = shuffle2(a0, a1, sh);
        *q2 = shuffle2(a1, a2, sh);
        *q3 = shuffle2(a2, a3, sh);
        *q4 = (float2)(a3.sf, sc_pre1(row[64], p));
    } else {
        float b[80];
        for (int k = 0; k < 80; k++)
            b[k] = k < nval ? sc_pre_at(row, x0 + k, W, p) : 0.0f;
        *q0 = vload16(0, b);
        *q1 = vload16(1, b);
        *q2 = vload16(2, b);
        *q3 = vload16(3, b);
        *q4 = vload2(0, b + 64);
    }
}

__kernel void wino_input(__global const float *in, int C, int H, int W, int pad_y,
                         int pad_x, int ty0, int tiles_x, int tiles_y, int TP,
                         __global float *V, __global const float2 *nst,
                         __global const float *nscale, __global const float *nshift,
                         int nmode)
{
    int tx = get_global_id(0) * 16, ty = get_global_id(1), c = get_global_id(2);
    if (tx >= tiles_x || ty >= tiles_y)
        return;
    __global const float *ip = in + (size_t)c * H * W;
    int y0 = (ty0 + ty) * 4 - pad_y, x0 = tx * 4 - pad_x, n = min(16, tiles_x - tx);
    struct sc_pre pre = sc_pre_of(nst, nscale, nshift, nmode, c);
    float16 e[6][6];   /* e[i] = row i of the tiles times B */
    for (int i = 0; i < 6; i++) {
        int y = y0 + i;
        float16 q0 = (float16)(0.0f), q1 = q0, q2 = q0, q3 = q0;
        float2 q4 = (float2)(0.0f);
        if (y >= 0 && y < H)
            wi_segment(ip + (size_t)y * W, x0, W, 4 * n + 2, &q0, &q1, &q2, &q3, &q4, pre);
        float16 d0 = (float16)(q0.s048c, q1.s048c, q2.s048c, q3.s048c);
        float16 d1 = (float16)(q0.s159d, q1.s159d, q2.s159d, q3.s159d);
        float16 d2 = (float16)(q0.s26ae, q1.s26ae, q2.s26ae, q3.s26ae);
        float16 d3 = (float16)(q0.s37bf, q1.s37bf, q2.s37bf, q3.s37bf);
        float16 d4 = (float16)(q0.s48c, q1.s048c, q2.s048c, q3.s048c, q4.s0);
        float16 d5 = (float16)(q0.s59d, q1.s159d, q2.s159d, q3.s159d, q4.s1);
        BT6(d0, d1, d2, d3, d4, d5, e[i][0], e[i][1], e[i][2], e[i][3], e[i][4], e[i][5]);
    }
    size_t stride = (size_t)C * TP;
    __global float *vp = V + (size_t)c * TP + ty * tiles_x + tx;
    /* Lanes past the row's end belong to the next row's item: store only n. */
    for (int j = 0; j < 6; j++) {
        float16 r[6];
        BT6(e[0][j], e[1][j], e[2][j], e[3][j], e[4][j], e[5][j],
            r[0], r[1], r[2], r[3], r[4], r[5]);
        for (int i = 0; i < 6; i++) {
            __global float *q = vp + (size_t)(i * 6 + j) * stride;
            if (n == 16) {
                vstore16(r[i], 0, q);
            } else {
                float a[16];
                vstore16(r[i], 0, a);
                for (int l = 0; l < n; l++)
                    q[l] = a[l];
            }
        }
    }
}

/* M[p][oc][t] = sum_c U[p][c][oc] V[p][c][t], register-blocked for CPUs:
 * a work item makes 32 tiles (two full float16 loads of V per channel) for
 * 8 output channels (8 scalar U values, each broadcast into two FMAs), so
 * 16 accumulators stay in registers and every V load is a whole vector.
 * TP is a multiple of 32, OC of 8. */
#define WG_FMA2(o) do {                          \
    float16 s_ = (float16)(up[o]);               \
    a##o = fma(s_, v0, a##o);                    \
    b##o = fma(s_, v1, b##o);                    \
} while (0)
__kernel void wino_gemm(__global const float *U, __global const float *V, int C, int OC,
                        int TP, __global float *M)
{
    int t = get_global_id(0) * 32, oc0 = get_global_id(1) * 8, p = get_global_id(2);
    __global const float *vp = V + (size_t)p * C * TP + t;
    __global const float *up = U + (size_t)p * C * OC + oc0;
    float16 a0 = (float16)(0.0f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0,
            a7 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0, b4 = a0, b5 = a0, b6 = a0, b7 = a0;
    for (int c = 0; c < C; c++) {
        float16 v0 = vload16(0, vp), v1 = vload16(1, vp);
        WG_FMA2(0); WG_FMA2(1); WG_FMA2(2); WG_FMA2(3);
        WG_FMA2(4); WG_FMA2(5); WG_FMA2(6); WG_FMA2(7);
        vp += TP;
        up += OC;
    }
    __global float *mp = M + ((size_t)p * OC + oc0) * TP + t;
    vstore16(a0, 0, mp); vstore16(b0, 1, mp); mp += TP;
    vstore16(a1, 0, mp); vstore16(b1, 1, mp); mp += TP;
    vstore16(a2, 0, mp); vstore16(b2, 1, mp); mp += TP;
    vstore16(a3, 0, mp); vstore16(b3, 1, mp); mp += TP;
    vstore16(a4, 0, mp); vstore16(b4, 1, mp); mp += TP;
    vstore16(a5, 0, mp); vstore16(b5, 1, mp); mp += TP;
    vstore16(a6, 0, mp); vstore16(b6, 1, mp); mp += TP;
    vstore16(a7, 0, mp); vstore16(b7, 1, mp);
}

/* A work item finishes 16 neighbouring tiles of one tile row and one output
 * channel (OC is M's padded channel count; the output is H x W, channel
 * count any): 36 whole-vector loads, then each output row's four columns
 * per tile are interleaved into 64 contiguous pixels. */
inline void wo_store_row(__global float *orow, int nx, float16 r0, float16 r1, float16 r2,
                         float16 r3)
{
    uint16 lo = (uint16)(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    uint16 hi = lo + (uint16)(8);
    uint16 pair_lo = (uint16)(0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23);
    uint16 pair_hi = pair_lo + (uint16)(8);
    float16 a = shuffle2(r0, r1, lo), b = shuffle2(r0, r1, hi);   /* r0 r1 pairs */
    float16 c = shuffle2(r2, r3, lo), d = shuffle2(r2, r3, hi);
    float16 o0 = shuffle2(a, c, pair_lo), o1 = shuffle2(a, c, pair_hi);
    float16 o2 = shuffle2(b, d, pair_lo), o3 = shuffle2(b, d, pair_hi);
    if (nx == 64) {
        vstore16(o0, 0, orow);
        vstore16(o1, 1, orow);
        vstore16(o2, 2, orow);
        vstore16(o3, 3, orow);
        return;
    }
    float row[64];
    vstore16(o0, 0, row);
    vstore16(o1, 1, row);
    vstore16(o2, 2, row);
    vstore16(o3, 3, row);
    for (int k = 0; k < nx; k++)
        orow[k] = row[k];
}

__kernel void wino_output(__global const float *M, int OC, int TP, int ty0, int tiles_x,
                          int tiles_y, int H, int W, __global const float *bias,
                          __global float *out)
{
    int tx = get_global_id(0) * 16, ty = get_global_id(1), oc = get_global_id(2);
    if (tx >= tiles_x || ty >= tiles_y)
        return;
    int n = min(16, tiles_x - tx);
    size_t stride = (size_t)OC * TP;
    __global const float *mp = M + (size_t)oc * TP + ty * tiles_x + tx;
    float16 t[4][6];   /* t = A^T m, lanes are tiles */
    for (int j = 0; j < 6; j++) {
        float16 m[6];
        for (int i = 0; i < 6; i++) {
            __global const float *q = mp + (size_t)(i * 6 + j) * stride;
            if (n == 16) {
                m[i] = vload16(0, q);
            } else {
                float a[16];
                for (int l = 0; l < 16; l++)
                    a[l] = l < n ? q[l] : 0.0f;
                m[i] = vload16(0, a);
            }
        }
        AT6(m[0], m[1], m[2], m[3], m[4], m[5], t[0][j], t[1][j], t[2][j], t[3][j]);
    }
    float b = bias[oc];
    __global float *op = out + (size_t)oc * H * W;
    int x0 = tx * 4, nx = min(64, W - x0);
    for (int i = 0; i < 4; i++) {
        int y = (ty0 + ty) * 4 + i;
        if (y >= H)
            break;
        float16 r0, r1, r2, r3;
        AT6(t[i][0], t[i][1], t[i][2], t[i][3], t[i][4], t[i][5], r0, r1, r2, r3);
        wo_store_row(op + (size_t)y * W + x0, nx, r0 + b, r1 + b, r2 + b, r3 + b);
    }
}
