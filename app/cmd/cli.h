/* Command-line parsing into one options struct; nothing is acted on here. */
#ifndef SC_CLI_H
#define SC_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "common/status.h"

#define SC_CLI_MAX_STYLE_IMAGES 16

enum sc_command {
    SC_CMD_LIVE,          /* default: camera -> stylize -> window */
    SC_CMD_STYLIZE,       /* stylecam stylize IN OUT */
    SC_CMD_BENCH,         /* stylecam bench */
    SC_CMD_LIST_CL,       /* --list-cl-devices */
    SC_CMD_LIST_STYLES,   /* --list-styles */
    SC_CMD_LIST_DEVICES,  /* --list-devices */
    SC_CMD_HELP,
    SC_CMD_VERSION,
};

struct sc_options {
    enum sc_command cmd;
    const char *style;       /* --style NAME */
    const char *models;      /* --models DIR[:DIR...] */
    int cl_device;           /* --cl-device N; -1 = not given */
    const char *device;      /* --device PATH */
    int width, height;       /* --size WxH (the first given); 0 = default */
    int sizes[8][2];         /* every --size given (bench runs each) */
    int nsizes;
    int json;                /* --json (bench) */
    int bench_recorder;      /* --recorder (bench): the encoder alone */
    double fps;              /* --fps N; 0 = default */
    const char *input;       /* --input FILE|test */
    int headless;            /* --headless */
    long frames;             /* --frames N; 0 = unlimited */
    float strength;          /* --strength 0..100 as 0..1 (default 1) */
    int strength_given;      /* --strength was given (it overrides the remembered one) */
    int keep_colors;         /* --keep-colors */
    int mirror;              /* --mirror */
    const char *record;      /* --record FILE */
    const char *record_dir;  /* --record-dir DIR */
    int infer_w, infer_h;    /* --infer-size WxH: network size (0 = the camera's) */
    int infer_auto;          /* --infer-size auto[:FPS] */
    int infer_full;          /* --infer-size full: the camera's size, even on a CPU */
    double infer_fps;        /* the rate auto mode holds (default 24) */
    int inflight;            /* --in-flight N: frames in the engine at once (0 = by device) */
    int stabilize;           /* --stabilize: enum sc_stabilize; -1 = not given */
    int record_quality;      /* --record-quality: enum sc_record_quality (0 = normal) */
    int bench_flicker;       /* --flicker (bench): measure flicker off and on */
    const char *dump_dir;    /* --dump DIR (bench): each size's input and float output */
    int fp16;                /* --fp16 (stylize, bench): half precision on the device */
    const char *vcam;        /* --vcam DEVICE|auto|pipewire; NULL = none at start */
    int vcam_format;         /* --vcam-format: 0 yuyv, 1 i420 */
    const char *style_images[SC_CLI_MAX_STYLE_IMAGES];  /* --style-image FILE, in order (any picture as a style) */
    int nstyle_images;
    int verbose;             /* -v */
    const char *in, *out;    /* stylize's positional arguments */
};

/* Parses argv; returns SC_OK, or SC_ERR_ARG with one sentence in err. */
enum sc_status sc_cli_parse(int argc, char **argv, struct sc_options *o,
                            struct sc_error *err);

void sc_cli_usage(FILE *out);

#endif
