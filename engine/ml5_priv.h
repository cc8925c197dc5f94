/* The ml5 style (48 variables) as a network description. */
#ifndef SC_ML5_PRIV_H
#define SC_ML5_PRIV_H

#include "engine/model.h"
#include "engine/net.h"

enum sc_status sc_ml5_net(const struct sc_model *m, struct sc_net **out, struct sc_error *err);

#endif
