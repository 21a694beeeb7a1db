/* player.h: the HTML pages the HTTP server serves (http.h): the web player
 * of a stream and the list of streams.  Self-contained pages: the script
 * and style are inline, nothing is fetched from elsewhere (the server's
 * Content-Security-Policy is default-src 'self' 'unsafe-inline').
 *
 * The player (GET /<stream>/) asks the server for the stream over WHEP
 * (POST "whep", relative to the page, with "?token=" of the page URL as a
 * bearer token), shows its state (connecting / waiting / playing / error
 * with the server's reason), retries after 409/503 as Retry-After says, and
 * ends the session (DELETE of Location) when the page goes away.  For tests
 * it exposes window.wf = { pc, state, session, error, stats() }, where
 * stats() resolves to inbound-rtp counters per kind (framesDecoded, ...).
 */
#ifndef WF_PLAYER_H
#define WF_PLAYER_H

#include <stddef.h>

#include "conf/conf.h"

/* The player page of stream (HTML-escaped where it appears): a heap
 * string of *len bytes (NUL-terminated), which the caller frees, or NULL
 * with errno set (ENOMEM). */
char *wf_player_page(const char *stream, size_t *len);

/* The publisher page of stream (GET /<stream>/publish), as above: a form
 * takes the publish token (typed, never in the URL), then the page
 * publishes the camera and microphone over WHIP (POST "whip", relative to
 * the page; the token as a bearer token), shows its state (idle /
 * starting / connecting / publishing / error with the server's reason)
 * and ends the session (DELETE of Location) on Stop or when the page goes
 * away.  For tests: window.wf = { pc, state, session, error, publish(token),
 * stop(), stats() }, where stats() resolves to outbound-rtp counters per
 * kind and which kinds whepfan's receiver reports reached. */
char *wf_publish_page(const char *stream, size_t *len);

/* The page listing cfg's streams with links to their players, and to the
 * publisher page of each WHIP stream, as above. */
char *wf_player_index(const struct wf_config *cfg, size_t *len);

#endif
