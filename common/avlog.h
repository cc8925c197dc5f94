/* FFmpeg's own console messages, routed into app/log at debug level: the
 * user sees our one-sentence errors, `-v` shows FFmpeg's details too. */
#ifndef SC_RECORD_AVLOG_H
#define SC_RECORD_AVLOG_H

/* Any thread; idempotent. Installs the route unless called before. */
void sc_avlog_route(void);

#endif
