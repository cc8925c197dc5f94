/* The download stage's pure parts: the pins built into the program, a
 * style folder's digest (against ../shared), malformed pins, the bar. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "app/download/download_priv.h"

START_TEST(builtin_pins)
{
    const struct sc_pins *p = sc_pins_builtin();
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(p->nfiles, 49);
    ck_assert_int_eq(p->nstyles, 14);
    ck_assert_str_eq(p->repo, "ml5js/ml5-data-and-models");
    int k = sc_pins_find(p, "johnson_mosaic");
    ck_assert_int_ge(k, 0);
    ck_assert_int_eq(p->style[k].family, SC_DL_JOHNSON);
    ck_assert_str_eq(p->style[k].file, "mosaic.onnx");
    ck_assert_int_eq(p->style[k].bytes, 1712530);
    ck_assert_int_eq(p->style[sc_pins_find(p, "wave")].bytes, 6715241);
    k = sc_pins_find(p, "arbitrary");
    ck_assert_int_ge(k, 0);
    ck_assert_int_eq(p->style[k].family, SC_DL_ARBITRARY);
    ck_assert_str_eq(p->style[k].file, "style_predict_quantized_256.tflite");
    ck_assert_str_eq(p->style[k].file2, "style_transfer_f16_384.tflite");
    ck_assert_str_eq(p->style[k].sum2,
                     "c60cff7395544eda1f0915d6dddaedd8ed868cefe8ec6c5ed220ba801f120303");
    ck_assert_int_eq(p->style[k].bytes, 3249056);
    ck_assert_str_eq(p->tfl_repo, "terryky/tflite_gles_app");
}
END_TEST

START_TEST(digest_of_shared_style)
{
    const char *shared = getenv("STYLECAM_SHARED");
    char dir[4096], hex[65];
    snprintf(dir, sizeof dir, "%s/models/wave", shared ? shared : "../shared");
    const struct sc_pins *p = sc_pins_builtin();
    ck_assert_int_eq(sc_style_digest(p, dir, hex), 0);
    ck_assert_str_eq(hex, p->style[sc_pins_find(p, "wave")].sum);
    snprintf(dir, sizeof dir, "%s/models/nonexistent", shared ? shared : "../shared");
    ck_assert_int_eq(sc_style_digest(p, dir, hex), -1);
}
END_TEST

START_TEST(malformed_pins)
{
    static struct sc_pins p;
    struct sc_error err;
    ck_assert_int_eq(sc_pins_parse("repo a/b\ncommit c\n", &p, &err), SC_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.msg, "incomplete"));
    ck_assert_int_eq(sc_pins_parse("repo a/b\nstyle x nothex\n", &p, &err), SC_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.msg, "line 2"));
    /* A style name or file that would lead outside the folder. */
    char bad[400];
    snprintf(bad, sizeof bad, "style ../x %064d\n", 0);
    ck_assert_int_eq(sc_pins_parse(bad, &p, &err), SC_ERR_FORMAT);
    snprintf(bad, sizeof bad, "files a ../b\n");
    ck_assert_int_eq(sc_pins_parse(bad, &p, &err), SC_ERR_FORMAT);
    /* The arbitrary pair: both files and both digests, no paths. */
    snprintf(bad, sizeof bad, "tflite arb a.tflite %064d\n", 0);
    ck_assert_int_eq(sc_pins_parse(bad, &p, &err), SC_ERR_FORMAT);
    snprintf(bad, sizeof bad, "tflite arb a.tflite %064d ../b.tflite %064d 5\n", 0, 0);
    ck_assert_int_eq(sc_pins_parse(bad, &p, &err), SC_ERR_FORMAT);
}
END_TEST

START_TEST(progress_line)
{
    struct sc_download_progress p = {.bytes_done = 3100000, .bytes_total = 62000000,
                                      .rate = 1200000, .eta_s = 43, .styles_done = 1,
                                      .styles_total = 9};
    snprintf(p.current, sizeof p.current, "mathura");
    char line[256];
    sc_download_format(&p, 10, line, sizeof line);
    ck_assert_str_eq(line, "[2/9] mathura        [----------] 3.1 MB/62.0 MB  1.2 MB/s  0:43 left");
    p.bytes_done = 31000000;
    p.eta_s = -1;
    p.rate = 0;
    sc_download_format(&p, 4, line, sizeof line);
    ck_assert_str_eq(line, "[2/9] mathura        [##--] 31.0 MB/62.0 MB  --");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("download");
    TCase *tc = tcase_create("pins");
    tcase_add_test(tc, builtin_pins);
    tcase_add_test(tc, digest_of_shared_style);
    tcase_add_test(tc, malformed_pins);
    tcase_add_test(tc, progress_line);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
