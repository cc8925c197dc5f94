/* Shared definitions for every kernel file (they build as one program). */

/* Output channels computed per work item; weights are packed to match. */
#define OCB 4

/* The network's output mapping: pre-activation -> 0..255. */
inline float sc_out_value(float x)
{
    return clamp(127.5f + 150.0f * tanh(x), 0.0f, 255.0f);
}
