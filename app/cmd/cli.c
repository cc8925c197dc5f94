#include "app/cmd/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

enum {
    OPT_MODELS = 256, OPT_CL_DEVICE, OPT_LIST_CL, OPT_LIST_STYLES, OPT_LIST_DEVICES,
    OPT_DEVICE, OPT_SIZE, OPT_FPS, OPT_INPUT, OPT_HEADLESS, OPT_FRAMES, OPT_STRENGTH,
    OPT_KEEP_COLORS, OPT_MIRROR, OPT_RECORD, OPT_RECORD_DIR, OPT_VERSION, OPT_JSON, OPT_INFER, OPT_RECORDER, OPT_INFLIGHT,
    OPT_STABILIZE, OPT_RECORD_QUALITY, OPT_FLICKER, OPT_VCAM, OPT_VCAM_FORMAT, OPT_STYLE_IMAGE,
    OPT_DUMP, OPT_FP16,
};

static const struct option long_opts[] = {
    {"style", required_argument, NULL, 's'},
    {"models", required_argument, NULL, OPT_MODELS},
    {"cl-device", required_argument, NULL, OPT_CL_DEVICE},
    {"list-cl-devices", no_argument, NULL, OPT_LIST_CL},
    {"list-styles", no_argument, NULL, OPT_LIST_STYLES},
    {"list-devices", no_argument, NULL, OPT_LIST_DEVICES},
    {"device", required_argument, NULL, OPT_DEVICE},
    {"size", required_argument, NULL, OPT_SIZE},
    {"fps", required_argument, NULL, OPT_FPS},
    {"input", required_argument, NULL, OPT_INPUT},
    {"headless", no_argument, NULL, OPT_HEADLESS},
    {"frames", required_argument, NULL, OPT_FRAMES},
    {"strength", required_argument, NULL, OPT_STRENGTH},
    {"keep-colors", no_argument, NULL, OPT_KEEP_COLORS},
    {"mirror", no_argument, NULL, OPT_MIRROR},
    {"record", required_argument, NULL, OPT_RECORD},
    {"record-dir", required_argument, NULL, OPT_RECORD_DIR},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {"json", no_argument, NULL, OPT_JSON},
    {"infer-size", required_argument, NULL, OPT_INFER},
    {"recorder", no_argument, NULL, OPT_RECORDER},
    {"in-flight", required_argument, NULL, OPT_INFLIGHT},
    {"stabilize", required_argument, NULL, OPT_STABILIZE},
    {"record-quality", required_argument, NULL, OPT_RECORD_QUALITY},
    {"flicker", no_argument, NULL, OPT_FLICKER},
    {"vcam", required_argument, NULL, OPT_VCAM},
    {"vcam-format", required_argument, NULL, OPT_VCAM_FORMAT},
    {"style-image", required_argument, NULL, OPT_STYLE_IMAGE},
    {"dump", required_argument, NULL, OPT_DUMP},
    {"fp16", no_argument, NULL, OPT_FP16},
    {NULL, 0, NULL, 0},
};

void sc_cli_usage(FILE *out)
{
    fputs("usage: stylecam [options]                 live camera stylization\n"
          "       stylecam stylize --style NAME [--models DIR] IN OUT\n"
          "       stylecam stylize --style-image PICTURE [--models DIR] IN OUT\n"
          "       stylecam bench [--style NAME] [--size WxH ...] [--frames N] [--json]\n"
          "                [--dump DIR] [--fp16]\n"
          "       stylecam bench --recorder [--size WxH] [--frames N]\n"
          "       stylecam bench --flicker [--style NAME] [--size WxH] [--frames N]\n"
          "                [--input IMAGE] [--models DIR] [--json]\n"
          "       stylecam import MODEL.onnx NAME [--models DIR] [--channels rgb|bgr]\n"
          "                [--input-range 255|1] [--output-range 255|1] [--force]\n"
          "\n"
          "  --style NAME          first style (default: the first on the search path)\n"
          "  --models DIR[:DIR]    style folders (else $STYLECAM_MODELS, ./models,\n"
          "                        $XDG_DATA_HOME/stylecam/models, the install's share)\n"
          "  --style-image FILE    any picture as a style, named after the file (repeat\n"
          "                        for more; needs 'stylecam download arbitrary')\n"
          "  --list-styles         print the search path and the styles in it\n"
          "  --cl-device N         OpenCL device (else $STYLECAM_CL_DEVICE, a GPU first)\n"
          "  --list-cl-devices     print the OpenCL devices with their numbers\n"
          "  --device PATH|pipewire[:NAME]  camera (default: the first V4L2 camera that\n"
          "                        can capture, else the first PipeWire camera)\n"
          "  --list-devices        print the cameras with their formats and sizes\n"
          "  --size WxH            camera size (default 640x480; the nearest is taken)\n"
          "  --fps N               camera rate\n"
          "  --infer-size WxH|auto[:FPS]|full  run the network smaller than the camera and\n"
          "                        scale up (auto: the largest size holding FPS, default 24;\n"
          "                        full: the camera's size; on a CPU the default is auto:15\n"
          "                        down to 320 pixels wide)\n"
          "  --input FILE|test     a still image, a video file or the test scene\n"
          "  --headless            no window; with --frames N, stop after N frames\n"
          "  --in-flight 1|2       frames in the engine at once (default: 2 on a GPU, 1 on a CPU)\n"
          "  --strength 0-100      blend of stylized over original (default 100)\n"
          "  --keep-colors         stylized luminance with the camera's colours\n"
          "  --mirror              flip horizontally\n"
          "  --record FILE         record the stylized stream (.mkv, or .mp4)\n"
          "  --record-dir DIR      where R and S save clips and snapshots\n"
          "  --record-quality normal|high|lossless  clip quality (lossless: every pixel\n"
          "                        kept, RGB H.264 at qp 0; large files)\n"
          "  --stabilize off|on|strong  steady the picture over time: denoise the camera\n"
          "                        and blend with the motion-warped previous frame (default on)\n"
          "  --vcam DEVICE|auto|pipewire  also send the stylized stream to a virtual\n"
          "                        camera: a v4l2loopback device, the first one (auto,\n"
          "                        else PipeWire), or a PipeWire camera named stylecam\n"
          "  --vcam-format yuyv|i420  the loopback device's pixel format (default yuyv)\n"
          "  --fp16                half precision on the device (stylize, bench; needs\n"
          "                        cl_khr_fp16)\n"
          "  -v, --verbose         more messages\n"
          "\n"
          "keys in the window: 1-9 and Left/Right styles, Space pause, F fullscreen,\n"
          "C compare, M mirror, +/- strength, O keep colours, T stabilize,\n"
          "V virtual camera, H overlay, R record, "
          "S snapshot, Q or Esc quit;\n"
          "picture styles: drop a picture on the window, P the camera's picture as a\n"
          "style, B blend (with the previous picture style, the camera's own look, off),\n"
          "[ and ] the mix\n", out);
}

static int parse_size(const char *s, int *w, int *h)
{
    char *end;
    long a = strtol(s, &end, 10);
    if (*end != 'x' && *end != 'X')
        return -1;
    long b = strtol(end + 1, &end, 10);
    if (*end || a < 16 || b < 16 || a > 16384 || b > 16384)
        return -1;
    *w = (int)a;
    *h = (int)b;
    return 0;
}

static int parse_num(const char *s, double lo, double hi, double *v)
{
    char *end;
    *v = strtod(s, &end);
    return *end || end == s || !(*v >= lo && *v <= hi) ? -1 : 0;
}

static int parse_infer(const char *s, struct sc_options *o)
{
    if (strcmp(s, "full") == 0) {
        o->infer_full = 1;
        return 0;
    }
    if (strncmp(s, "auto", 4) == 0) {
        o->infer_auto = 1;
        o->infer_fps = 24;
        if (s[4] == '\0')
            return 0;
        return s[4] == ':' ? parse_num(s + 5, 1, 240, &o->infer_fps) : -1;
    }
    return parse_size(s, &o->infer_w, &o->infer_h);
}

static const char *const stabilize_words[] = {"off", "on", "strong", NULL};
static const char *const quality_words[] = {"normal", "high", "lossless", NULL};
static const char *const vcam_format_words[] = {"yuyv", "i420", NULL};

/* The index of s in words, or -1. */
static int parse_word(const char *s, const char *const *words)
{
    for (int i = 0; words[i]; i++)
        if (strcmp(s, words[i]) == 0)
            return i;
    return -1;
}

static enum sc_status bad(struct sc_error *err, const char *opt, const char *val,
                          const char *want)
{
    return sc_error_set(err, SC_ERR_ARG, "Invalid %s '%s': expected %s.", opt, val, want);
}

static enum sc_status parse_opt(int c, struct sc_options *o, struct sc_error *err)
{
    double v;
    switch (c) {
    case 's': o->style = optarg; return SC_OK;
    case OPT_MODELS: o->models = optarg; return SC_OK;
    case OPT_CL_DEVICE:
        if (parse_num(optarg, 0, 1000, &v) || v != (int)v)
            return bad(err, "--cl-device", optarg, "a device number from --list-cl-devices");
        o->cl_device = (int)v;
        return SC_OK;
    case OPT_LIST_CL: o->cmd = SC_CMD_LIST_CL; return SC_OK;
    case OPT_LIST_STYLES: o->cmd = SC_CMD_LIST_STYLES; return SC_OK;
    case OPT_LIST_DEVICES: o->cmd = SC_CMD_LIST_DEVICES; return SC_OK;
    case OPT_DEVICE: o->device = optarg; return SC_OK;
    case OPT_SIZE: {
        int w, h;
        if (parse_size(optarg, &w, &h))
            return bad(err, "--size", optarg,
                       "WIDTHxHEIGHT of at least 16x16, e.g. 640x480");
        if (!o->nsizes) {
            o->width = w;
            o->height = h;
        }
        if (o->nsizes < 8) {
            o->sizes[o->nsizes][0] = w;
            o->sizes[o->nsizes++][1] = h;
        }
        return SC_OK;
    }
    case OPT_JSON: o->json = 1; return SC_OK;
    case OPT_RECORDER: o->bench_recorder = 1; return SC_OK;
    case OPT_INFLIGHT:
        if (parse_num(optarg, 1, 2, &v) || v != (int)v)
            return bad(err, "--in-flight", optarg, "1 or 2");
        o->inflight = (int)v;
        return SC_OK;
    case OPT_INFER:
        if (parse_infer(optarg, o))
            return bad(err, "--infer-size", optarg,
                       "WIDTHxHEIGHT, full, auto, or auto:FPS with FPS from 1 to 240");
        return SC_OK;
    case OPT_FPS:
        if (parse_num(optarg, 1, 240, &v))
            return bad(err, "--fps", optarg, "a rate from 1 to 240");
        o->fps = v;
        return SC_OK;
    case OPT_INPUT: o->input = optarg; return SC_OK;
    case OPT_HEADLESS: o->headless = 1; return SC_OK;
    case OPT_FRAMES:
        if (parse_num(optarg, 1, 1e12, &v))
            return bad(err, "--frames", optarg, "a positive number");
        o->frames = (long)v;
        return SC_OK;
    case OPT_STRENGTH:
        if (parse_num(optarg, 0, 100, &v))
            return bad(err, "--strength", optarg, "a percentage from 0 to 100");
        o->strength = (float)(v / 100.0);
        o->strength_given = 1;
        return SC_OK;
    case OPT_KEEP_COLORS: o->keep_colors = 1; return SC_OK;
    case OPT_MIRROR: o->mirror = 1; return SC_OK;
    case OPT_RECORD: o->record = optarg; return SC_OK;
    case OPT_RECORD_DIR: o->record_dir = optarg; return SC_OK;
    case OPT_STABILIZE:
        if ((o->stabilize = parse_word(optarg, stabilize_words)) < 0)
            return bad(err, "--stabilize", optarg, "off, on or strong");
        return SC_OK;
    case OPT_RECORD_QUALITY:
        if ((o->record_quality = parse_word(optarg, quality_words)) < 0)
            return bad(err, "--record-quality", optarg, "normal, high or lossless");
        return SC_OK;
    case OPT_FLICKER: o->bench_flicker = 1; return SC_OK;
    case OPT_DUMP: o->dump_dir = optarg; return SC_OK;
    case OPT_FP16: o->fp16 = 1; return SC_OK;
    case OPT_VCAM: o->vcam = optarg; return SC_OK;
    case OPT_VCAM_FORMAT:
        if ((o->vcam_format = parse_word(optarg, vcam_format_words)) < 0)
            return bad(err, "--vcam-format", optarg, "yuyv or i420");
        return SC_OK;
    case OPT_STYLE_IMAGE:
        if (o->nstyle_images == SC_CLI_MAX_STYLE_IMAGES)
            return sc_error_set(err, SC_ERR_ARG, "Too many --style-image options: at most %d "
                                "pictures at once.", SC_CLI_MAX_STYLE_IMAGES);
        if (!optarg[0])
            return bad(err, "--style-image", optarg, "a picture file (PNG or JPEG)");
        o->style_images[o->nstyle_images++] = optarg;
        return SC_OK;
    case 'v': o->verbose = 1; return SC_OK;
    case 'h': o->cmd = SC_CMD_HELP; return SC_OK;
    case OPT_VERSION: o->cmd = SC_CMD_VERSION; return SC_OK;
    }
    return sc_error_set(err, SC_ERR_ARG, "Unknown option; run 'stylecam --help' for the "
                        "list.");
}

enum sc_status sc_cli_parse(int argc, char **argv, struct sc_options *o,
                            struct sc_error *err)
{
    memset(o, 0, sizeof *o);
    o->cl_device = -1;
    o->strength = 1.0f;
    o->stabilize = -1;
    int first = 1;
    if (argc > 1 && strcmp(argv[1], "stylize") == 0) {
        o->cmd = SC_CMD_STYLIZE;
        first = 2;
    } else if (argc > 1 && strcmp(argv[1], "bench") == 0) {
        o->cmd = SC_CMD_BENCH;
        first = 2;
    }
    /* Options start after the command word; optind 0 makes glibc reset its
     * scanning state, so a second parse in one process starts clean. */
    char **av = argv + first - 1;
    int ac = argc - first + 1;
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(ac, av, "s:vh", long_opts, NULL)) != -1) {
        if (c == '?')
            return sc_error_set(err, SC_ERR_ARG, "Unknown or incomplete option '%s'; run "
                                "'stylecam --help' for the list.", av[optind - 1]);
        enum sc_status st = parse_opt(c, o, err);
        if (st != SC_OK)
            return st;
    }
    int rest = ac - optind;
    if (o->cmd == SC_CMD_STYLIZE) {
        if (rest != 2 || (!o->style && !o->nstyle_images))
            return sc_error_set(err, SC_ERR_ARG, "stylize needs --style NAME (or "
                                "--style-image PICTURE), an input and an output: stylecam "
                                "stylize --style NAME IN.png OUT.png");
        if (o->style && o->nstyle_images)
            return sc_error_set(err, SC_ERR_ARG, "stylize takes --style NAME or "
                                "--style-image PICTURE, not both.");
        if (o->nstyle_images > 1)
            return sc_error_set(err, SC_ERR_ARG, "stylize takes one --style-image picture; "
                                "run it once for each.");
        o->in = av[optind];
        o->out = av[optind + 1];
    } else if (rest > 0) {
        return sc_error_set(err, SC_ERR_ARG, "Unexpected argument '%s'; run 'stylecam "
                            "--help' for usage.", av[optind]);
    }
    return SC_OK;
}
