/*
 * http_headers: the Link header's next page, announced quotas and 429
 * waits (http_headers.h). Plain string work on header values curl hands
 * over; nothing here sends a request.
 */
#include "reconciler/http_headers.h"
#include "reconciler/error.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Does a Link entry's parameter text (after "<...>") carry rel="next"? rel
 * may be quoted and list several relations ("next last"), RFC 8288 3.3. */
static bool rel_is_next(const char *p, size_t n)
{
	for (size_t i = 0; i + 4 <= n; i++) {
		if (strncasecmp(p + i, "rel=", 4) != 0 || (i && !strchr(" ;\t", p[i - 1])))
			continue;
		size_t j = i + 4, stop;
		bool quoted = j < n && p[j] == '"';
		j += quoted;
		for (stop = j; stop < n && (quoted ? p[stop] != '"' : !strchr(" ;,\t", p[stop])); stop++)
			;
		for (size_t k = j; k < stop; j = ++k) { /* a space-separated list of relations */
			while (k < stop && p[k] != ' ')
				k++;
			if (k - j == 4 && strncasecmp(p + j, "next", 4) == 0)
				return true;
		}
	}
	return false;
}

/* The query of path without its api_key parameters; path is modified. */
static void drop_api_key(char *path)
{
	char *q = strchr(path, '?');
	if (!q)
		return;
	char *out = q + 1, *in = q + 1;
	while (*in) {
		size_t len = strcspn(in, "&");
		bool key = strncmp(in, "api_key=", 8) == 0 || (len == 7 && strncmp(in, "api_key", 7) == 0);
		if (!key) {
			if (out != q + 1)
				*out++ = '&';
			memmove(out, in, len);
			out += len;
		}
		in += len + (in[len] == '&');
	}
	*out = '\0';
	if (out == q + 1)
		*q = '\0';
}

/* url (len bytes) as a path after base, or NULL when it is not under it. */
static char *under_base(const char *url, size_t len, const char *base)
{
	size_t bl = strlen(base);
	while (bl && base[bl - 1] == '/')
		bl--;
	const char *rest = NULL;
	if (len >= bl && strncmp(url, base, bl) == 0) {
		rest = url + bl;
	} else if (len && url[0] == '/') { /* an absolute path: the base URL's origin */
		const char *scheme = strstr(base, "://");
		const char *root = scheme ? strchr(scheme + 3, '/') : NULL;
		size_t rl = root ? (size_t)(base + bl - root) : 0;
		if (len >= rl && (!rl || strncmp(url, root, rl) == 0))
			rest = url + rl;
	}
	if (!rest)
		return NULL;
	size_t n = len - (size_t)(rest - url);
	if (n && rest[0] != '/' && rest[0] != '?')
		return NULL; /* "/v2x/...": a sibling of the root, not under it */
	char *path = cf_xstrndup(rest, n);
	drop_api_key(path);
	return path;
}

char *cf_http_link_next(const char *link, const char *base_url, bool *elsewhere)
{
	*elsewhere = false;
	for (const char *p = link ? strchr(link, '<') : NULL; p; p = strchr(p, '<')) {
		const char *end = strchr(p, '>');
		if (!end)
			return NULL;
		const char *params = end + 1, *next = strchr(params, '<');
		if (rel_is_next(params, next ? (size_t)(next - params) : strlen(params))) {
			char *path = under_base(p + 1, (size_t)(end - p - 1), base_url);
			*elsewhere = path == NULL;
			return path;
		}
		p = end + 1;
	}
	return NULL;
}

static bool seconds(const char *s, long *out)
{
	if (!s)
		return false;
	while (isspace((unsigned char)*s))
		s++;
	char *end;
	long v = strtol(s, &end, 10);
	if (end == s || v < 0)
		return false;
	*out = v;
	return true;
}

void cf_http_quota_note(cf_http_quota *q, const char *remaining, const char *reset_secs, long long now)
{
	long r, s;
	if (!seconds(remaining, &r))
		return;
	/* no reset announced: a second, so a quota we cannot time is not a stall */
	if (!seconds(reset_secs, &s))
		s = 1;
	long long wait = (long long)s * 1000;
	q->remaining = r;
	q->reset_at = now + (wait > CF_HTTP_MAX_429_WAIT_MS ? CF_HTTP_MAX_429_WAIT_MS : wait);
}

long long cf_http_quota_next_start(cf_http_quota *q, int nq, unsigned long in_flight, long long now)
{
	long long at = now;
	for (int i = 0; i < nq; i++) {
		if (q[i].remaining >= 0 && now >= q[i].reset_at)
			q[i].remaining = -1; /* a new window: its quota is unknown until the next answer */
		if (q[i].remaining >= 0 && (unsigned long)q[i].remaining <= in_flight && q[i].reset_at > at)
			at = q[i].reset_at;
	}
	return at;
}

long cf_http_429_wait_ms(const char *const *secs, int n)
{
	long most = 0, s;
	for (int i = 0; i < n; i++)
		if (seconds(secs[i], &s) && s > most)
			most = s;
	return most > CF_HTTP_MAX_429_WAIT_MS / 1000 ? CF_HTTP_MAX_429_WAIT_MS : most * 1000;
}
