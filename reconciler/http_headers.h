/*
 * http_headers: what the engine reads from an answer's headers besides the
 * status, kept apart from the transfer loop so each rule can be tested on
 * its own: the Link header's next page (RFC 8288), the RateLimit-* quota a
 * server announces, and how long a 429 asks us to wait.
 */
#ifndef CF_HTTP_HEADERS_H
#define CF_HTTP_HEADERS_H

#include <stdbool.h>

/* Longest wait a 429 may impose (the providers' docs pages name the
 * clients that cap it so): a server asking for more is treated as asking
 * for this. */
#define CF_HTTP_MAX_429_WAIT_MS 120000L

/* The URL of link's rel="next" entry as a path after base_url (query kept,
 * any api_key parameter dropped: a documented Link example carries one, and
 * paths are printed in errors and --debug); caller frees. NULL when there is
 * no next page. A next page that is not under base_url (another
 * host, scheme or API root) sets *elsewhere and returns NULL: the token is
 * never sent where the user did not point it. */
char *cf_http_link_next(const char *link, const char *base_url, bool *elsewhere);

/* One quota a server announces (RateLimit-Remaining and RateLimit-Reset,
 * or their RateLimit-User-* twins): what is left, and when the window ends. */
typedef struct cf_http_quota {
	long remaining;     /* -1: not announced, or its window is over */
	long long reset_at; /* monotonic ms */
} cf_http_quota;

/* Records remaining/reset (header values as received, either may be NULL)
 * at time now. */
void cf_http_quota_note(cf_http_quota *q, const char *remaining, const char *reset_secs, long long now);

/* When may a new request start, given the quotas and the requests already
 * in flight: now, or the end of the window whose last Remaining is at or
 * below the in-flight count (each of those requests spends one). */
long long cf_http_quota_next_start(cf_http_quota *q, int nq, unsigned long in_flight, long long now);

/* How long a 429 asks us to wait, in ms: the longest of the seconds given
 * (each may be NULL or unparsable: ignored), capped at CF_HTTP_MAX_429_WAIT_MS;
 * 0 when none says. */
long cf_http_429_wait_ms(const char *const *secs, int n);

#endif
