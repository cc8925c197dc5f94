/* The window's picture styles: a dropped picture or P (the camera's
 * picture) becomes a style, B and [ ] blend style vectors. Main thread;
 * predictions run on the style worker (app/styles/worker.h), the engine
 * changes on the processing thread through its orders. */
#ifndef SC_LIVE_PICS_H
#define SC_LIVE_PICS_H

#include "app/live.h"
#include "app/window/input.h"

struct sc_live_pics;

struct sc_live_pics *sc_live_pics_new(struct sc_live *lv);
void sc_live_pics_free(struct sc_live_pics **pp);

/* P, B, [, ] and a drop; returns 1 when the controls changed (send them). */
int sc_live_pics_action(struct sc_live_pics *pc, const struct sc_ui_event *ev);
/* A style switch happened (before the controls are sent): a blend of the
 * style left ends. */
void sc_live_pics_style_changed(struct sc_live_pics *pc, int from, int to);
/* A new frame is on screen: a grab that waits for one takes its original. */
void sc_live_pics_frame(struct sc_live_pics *pc, const struct sc_shown *s, int compare);
/* 1 while a grab waits for a frame with its original. */
int sc_live_pics_grabbing(const struct sc_live_pics *pc);
/* Worker results and orders done; returns 1 when the controls changed. */
int sc_live_pics_poll(struct sc_live_pics *pc);

/* For the overlay: the blend line ("" when none) and what is being added
 * ("" when nothing). Returns the note to show once (NULL: none). */
void sc_live_pics_overlay(struct sc_live_pics *pc, char *blend, size_t nb, char *busy,
                          size_t nbusy);
const char *sc_live_pics_note(struct sc_live_pics *pc);

#endif
