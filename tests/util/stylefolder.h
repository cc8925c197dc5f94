/* Writes a valid style folder (the sketch weights) for tests to damage: the
 * engine tests and the fuzz target. */
#ifndef SC_STYLEFOLDER_H
#define SC_STYLEFOLDER_H

/* Writes manifest.json and Variable... into dir; returns 0 on success. */
int sc_test_write_style(const char *dir);

/* Rewrites manifest.json with one entry's "filename" or "shape" text
 * replaced (id's entry); NULL keeps the original. */
int sc_test_write_manifest(const char *dir, int id, const char *filename,
                           const char *shape_json);

#endif
