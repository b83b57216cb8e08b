/*
 * http: the transfer engine (http.h). A queue of calls, a curl multi
 * handle, at most `parallelism` in flight; a call that fails in a retryable
 * way is put back with a time before which it may not start again.
 */
#include "reconciler/http.h"
#include "reconciler/http_headers.h"

#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define USER_AGENT "ciform/" CIFORM_VERSION
#define EXCERPT_CHARS 200

struct cf_http_client {
	cf_http_config cfg;
	CURLM *multi;
	char *auth_header;
	cJSON *cache;
	unsigned long requests;
	unsigned long over; /* calls finished, for progress */
	void (*on_progress)(void *ud, unsigned long done);
	void *progress_ud;
	void (*on_trace)(void *ud, const cf_trace *t);
	void *trace_ud;
	unsigned int seed;
	cf_http_quota quota[2]; /* RateLimit-* (the organisation's) and RateLimit-User-* */
};

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int cf_http_client_new(cf_http_client **out, const cf_http_config *cfg, cf_error *err)
{
	static bool global_done;
	if (!global_done) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		global_done = true;
	}
	if (!cfg->base_url || !cfg->token)
		return cf_error_set(err, CF_EUSAGE, "the client needs an organisation URL and a token");
	cf_http_client *c = cf_xcalloc(1, sizeof(*c));
	c->cfg = *cfg;
	if (!c->cfg.max_answer_bytes)
		c->cfg.max_answer_bytes = 32u << 20;
	if (!c->cfg.max_requests)
		c->cfg.max_requests = 100000;
	if (!c->cfg.low_speed_secs)
		c->cfg.low_speed_secs = 20;
	c->cfg.base_url = cf_xstrdup(cfg->base_url);
	c->cfg.token = cf_xstrdup(cfg->token);
	c->cfg.context = NULL; /* the caller's: not needed here */
	c->multi = curl_multi_init();
	curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)cfg->parallelism);
	/* keep every connection of a batch for the next one: the cache would
	 * otherwise shrink with the handles and reconnect at each batch boundary */
	curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS, (long)cfg->parallelism);
	c->auth_header = cf_xasprintf("%s%s", cfg->auth_prefix ? cfg->auth_prefix : "Authorization: Bearer ", cfg->token);
	c->seed = (unsigned int)now_ms();
	c->quota[0].remaining = c->quota[1].remaining = -1;
	*out = c;
	return CF_OK;
}

void cf_http_client_free(cf_http_client *c)
{
	if (!c)
		return;
	curl_multi_cleanup(c->multi);
	cJSON_Delete(c->cache);
	free(c->cfg.base_url);
	free(c->cfg.token);
	free(c->auth_header);
	free(c);
}

cJSON *cf_http_cache(cf_http_client *c)
{
	if (!c->cache)
		c->cache = cJSON_CreateObject();
	return c->cache;
}

unsigned long cf_http_client_requests(const cf_http_client *c)
{
	return c->requests;
}

void cf_http_client_on_progress(cf_http_client *c, void (*fn)(void *ud, unsigned long done), void *ud)
{
	c->on_progress = fn;
	c->progress_ud = ud;
}

void cf_http_client_on_trace(cf_http_client *c, void (*fn)(void *ud, const cf_trace *t), void *ud)
{
	c->on_trace = fn;
	c->trace_ud = ud;
}

char *cf_http_escape(const char *s)
{
	char *e = curl_easy_escape(NULL, s, 0);
	char *out = cf_xstrdup(e ? e : "");
	curl_free(e);
	return out;
}

void cf_http_call_init(cf_http_call *call, const char *method, unsigned flags, const char *body,
		      const char *path_fmt, ...)
{
	memset(call, 0, sizeof(*call));
	call->method = method;
	call->flags = flags;
	call->body = body ? cf_xstrdup(body) : NULL;
	call->has_more = -1;
	va_list ap;
	va_start(ap, path_fmt);
	char buf[2048];
	vsnprintf(buf, sizeof(buf), path_fmt, ap);
	va_end(ap);
	call->path = cf_xstrdup(buf);
}

void cf_http_call_clear(cf_http_call *call)
{
	free(call->path);
	free(call->body);
	free(call->error);
	free(call->resp);
	free(call->link_next);
	cJSON_Delete(call->json);
	memset(call, 0, sizeof(*call));
}

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud)
{
	cf_http_call *call = ud;
	size_t n = size * nmemb;
	if (call->resp_len + n > call->limit) { /* an endless body must not grow us without end */
		call->too_big = true;
		return 0;
	}
	call->resp = cf_xrealloc(call->resp, call->resp_len + n + 1);
	memcpy(call->resp + call->resp_len, ptr, n);
	call->resp_len += n;
	call->resp[call->resp_len] = '\0';
	return n;
}

/* A path under /api/ names another API of the same host (a vendor that
 * keeps several API versions side by side): the base URL's own /api/...
 * gives way to it, not a path appended to it. */
static char *full_url(const cf_http_client *c, const char *path)
{
	const char *api = strncmp(path, "/api/", 5) == 0 ? strstr(c->cfg.base_url, "/api/") : NULL;
	if (api)
		return cf_xasprintf("%.*s%s", (int)(api - c->cfg.base_url), c->cfg.base_url, path);
	return cf_xasprintf("%s%s", c->cfg.base_url, path);
}

static void start(cf_http_client *c, cf_http_call *call)
{
	CURL *e = curl_easy_init();
	char *url = full_url(c, call->path);
	struct curl_slist *h = NULL;
	h = curl_slist_append(h, c->auth_header);
	h = curl_slist_append(h, "Accept: application/json");
	if (call->body)
		h = curl_slist_append(h, "Content-Type: application/json");
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(e, CURLOPT_USERAGENT, c->cfg.user_agent ? c->cfg.user_agent : USER_AGENT);
	curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, call->method);
	if (call->body)
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, call->body);
	else if (strcmp(call->method, "GET") != 0)
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, "");
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, call);
	curl_easy_setopt(e, CURLOPT_PRIVATE, call);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, call->errbuf);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, c->cfg.connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, c->cfg.timeout_ms);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L); /* a trickling answer is a stalled one */
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, c->cfg.low_speed_secs);
	call->limit = c->cfg.max_answer_bytes;
	call->too_big = false;
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	free(url);
	free(call->resp);
	call->resp = NULL;
	call->resp_len = 0;
	call->errbuf[0] = '\0';
	call->easy = e;
	call->headers = h;
	call->attempts++;
	call->started_ms = now_ms();
	c->requests++;
	curl_multi_add_handle(c->multi, e);
}

/* The words of an error body shaped {"message": "..."}, {"error": "..."}
 * or {"error": {"title", "detail"}} ("title: detail"), or NULL. */
static char *error_words(const cJSON *j)
{
	const char *msg = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "message"));
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
	if (!msg)
		msg = cJSON_GetStringValue(e);
	if (msg)
		return cf_xstrdup(msg);
	const char *title = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "title"));
	const char *detail = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "detail"));
	if (title && detail && *detail)
		return cf_xasprintf("%s: %s", title, detail);
	return title || detail ? cf_xstrdup(title ? title : detail) : NULL;
}

/* The server's own words, however it shaped them, with the token (should a
 * server ever echo it) blotted out and control characters made spaces: APIs
 * answer a JSON-encoded string, plain text, {"message": ...}, {"error": ...}
 * or {"error": {title, detail}} (each provider's docs page says which of
 * its APIs answers which, with the evidence). */
static char *excerpt(const cf_http_client *c, const char *body)
{
	cJSON *j = body ? cJSON_Parse(body) : NULL;
	char *words = cJSON_IsString(j) ? cf_xstrdup(j->valuestring) : error_words(j);
	char *out = cf_xstrndup(words ? words : body ? body : "", EXCERPT_CHARS);
	free(words);
	cJSON_Delete(j);
	for (char *p = out; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	size_t tl = strlen(c->cfg.token);
	for (char *p; tl && (p = strstr(out, c->cfg.token));)
		memset(p, '*', tl);
	return out;
}

static bool retryable_status(long s)
{
	return s == 429 || s == 502 || s == 503 || s == 504;
}

static void fail(cf_http_client *c, cf_http_call *call, int rc, const char *what)
{
	free(call->error);
	call->rc = rc;
	/* 401 is a bad token or a good token without permission */
	if (rc == CF_EAUTH)
		call->error = cf_xasprintf("%s %s: HTTP 401: %s: the API token was refused, or it lacks "
					   "permission for this%s%s%s", call->method, call->path, *what ? what : "Unauthorized",
					   c->cfg.auth_hint ? " (" : "", c->cfg.auth_hint ? c->cfg.auth_hint : "",
					   c->cfg.auth_hint ? ")" : "");
	else if (call->status == 403)
		call->error = cf_xasprintf("%s %s: HTTP 403: %s%s%s%s", call->method, call->path, what,
					   c->cfg.forbidden_hint ? " (" : "", c->cfg.forbidden_hint ? c->cfg.forbidden_hint : "",
					   c->cfg.forbidden_hint ? ")" : "");
	else if (call->status)
		call->error = cf_xasprintf("%s %s: HTTP %ld: %s", call->method, call->path, call->status, what);
	else
		call->error = cf_xasprintf("%s %s: %s", call->method, call->path, what);
}

static long backoff_ms(cf_http_client *c, const cf_http_call *call)
{
	if (call->retry_after_ms > 0)
		return call->retry_after_ms;
	long d = c->cfg.retry_base_ms;
	for (int i = 1; i < call->attempts && d < c->cfg.retry_max_ms; i++)
		d *= 2;
	if (d > c->cfg.retry_max_ms)
		d = c->cfg.retry_max_ms;
	return d / 2 + (long)(rand_r(&c->seed) % (unsigned)(d / 2 + 1)); /* jitter: half to full */
}

/* A header's value from the last response of e, or NULL. */
static const char *header(CURL *e, const char *name)
{
	struct curl_header *h = NULL;
	return curl_easy_header(e, name, 0, CURLH_HEADER, -1, &h) == CURLHE_OK ? h->value : NULL;
}

static void read_headers(cf_http_client *c, cf_http_call *call, CURL *e)
{
	const char *more = header(e, "x-has-more");
	if (more)
		call->has_more = strcmp(more, "true") == 0;
	call->retry_after_ms = 0;
	const char *ra = header(e, "retry-after");
	if (ra) {
		long secs = strtol(ra, NULL, 10);
		call->retry_after_ms = secs > 0 && secs < 3600 ? secs * 1000 : 0;
	}
	free(call->link_next);
	call->link_next = cf_http_link_next(header(e, "link"), c->cfg.base_url, &call->link_elsewhere);
	if (!c->cfg.rate_limit_headers)
		return;
	long long now = now_ms();
	const char *reset = header(e, "ratelimit-reset"), *user_reset = header(e, "ratelimit-user-reset");
	cf_http_quota_note(&c->quota[0], header(e, "ratelimit-remaining"), reset, now);
	cf_http_quota_note(&c->quota[1], header(e, "ratelimit-user-remaining"), user_reset, now);
	if (call->status == 429) { /* the longest of the resets and Retry-After, capped */
		const char *secs[] = {reset, user_reset, ra, NULL};
		call->retry_after_ms = cf_http_429_wait_ms(secs, 3);
	}
}

/* The 429 body's "reset" ({message, scope, limit, current, reset}, seconds)
 * when it asks for longer than the headers did. */
static void body_reset(cf_http_call *call)
{
	cJSON *j = call->resp ? cJSON_Parse(call->resp) : NULL;
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(j, "reset");
	if (cJSON_IsNumber(r) && r->valuedouble > 0) {
		double ms = r->valuedouble * 1000 > CF_HTTP_MAX_429_WAIT_MS ? CF_HTTP_MAX_429_WAIT_MS : r->valuedouble * 1000;
		if ((long)ms > call->retry_after_ms)
			call->retry_after_ms = (long)ms;
	}
	cJSON_Delete(j);
}

/* A transfer ended: decide between done and once more. True when done. */
static bool settle(cf_http_client *c, cf_http_call *call, CURLcode cc)
{
	CURL *e = call->easy;
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &call->status);
	read_headers(c, call, e);
	curl_multi_remove_handle(c->multi, e);
	curl_easy_cleanup(e);
	curl_slist_free_all(call->headers);
	call->easy = NULL;
	call->headers = NULL;
	bool idem = call->flags & CF_HTTP_IDEMPOTENT;
	call->retryable = false;
	if (call->too_big) {
		char *what = cf_xasprintf("the answer is larger than %zu bytes; giving up", call->limit);
		call->status = 0;
		fail(c, call, CF_EAPI, what);
		free(what);
		return true;
	} else if (cc != CURLE_OK) {
		call->status = 0;
		call->retryable = true;
		char *what = cf_xasprintf("%s", call->errbuf[0] ? call->errbuf : curl_easy_strerror(cc));
		fail(c, call, CF_ENET, what);
		free(what);
		/* nothing reached the server when the connection was refused */
		idem = idem || cc == CURLE_COULDNT_CONNECT || cc == CURLE_COULDNT_RESOLVE_HOST;
		/* a server that stalled twice will not answer a third time: a slow
		 * answer costs two timeouts at most, not max_attempts of them */
		if (cc == CURLE_OPERATION_TIMEDOUT && call->attempts >= 2)
			call->retryable = false;
	} else if (call->status >= 200 && call->status < 300) {
		cJSON_Delete(call->json);
		call->json = call->resp_len ? cJSON_ParseWithLength(call->resp, call->resp_len) : cJSON_CreateObject();
		if (call->json) {
			call->rc = CF_OK;
			free(call->resp); /* parsed: the text is not needed, and a batch holds many */
			call->resp = NULL;
			call->resp_len = 0;
			if (call->shape)
				call->shape(call->json, call->shape_ud);
			return true;
		}
		char *ex = excerpt(c, call->resp);
		char *what = cf_xasprintf("the answer is not JSON: %s", ex);
		fail(c, call, CF_EAPI, what);
		free(what);
		free(ex);
		return true;
	} else {
		char *ex = excerpt(c, call->resp);
		call->retryable = retryable_status(call->status);
		if (call->status == 429 && c->cfg.rate_limit_headers)
			body_reset(call);
		/* a 429 was refused before anything was done, where the provider says so */
		idem = idem || (call->status == 429 && c->cfg.retry_429_writes);
		fail(c, call, call->status == 401 ? CF_EAUTH : call->status == 404 ? CF_ENOTFOUND : CF_EAPI, ex);
		free(ex);
	}
	if (!call->retryable || !idem || call->attempts >= c->cfg.max_attempts) {
		if (call->attempts > 1) {
			char *more = cf_xasprintf("%s (after %d attempts)", call->error, call->attempts);
			free(call->error);
			call->error = more;
		}
		return true;
	}
	call->not_before_ms = now_ms() + backoff_ms(c, call);
	return false;
}

/* settle, then tell the tracer what this attempt was (the call's error
 * text is not passed: it may quote the server's answer). */
static bool finish(cf_http_client *c, cf_http_call *call, CURLcode cc)
{
	bool done = settle(c, call, cc);
	if (c->on_trace) {
		cf_trace t = {.method = call->method, .path = call->path, .status = call->status,
				  .failure = call->status ? NULL : call->too_big ? "answer too large"
								     : curl_easy_strerror(cc),
				  .attempt = call->attempts, .retrying = !done,
				  .ms = (long)(now_ms() - call->started_ms)};
		c->on_trace(c->trace_ud, &t);
	}
	return done;
}

/* Collects the transfers that ended; returns how many are over for good. */
static size_t reap(cf_http_client *c, cf_http_call *calls, bool *busy, bool *over, size_t *in_flight)
{
	size_t finished = 0;
	CURLMsg *m;
	while ((m = curl_multi_info_read(c->multi, &(int){0}))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		cf_http_call *call = NULL;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&call);
		size_t i = (size_t)(call - calls);
		busy[i] = false;
		(*in_flight)--;
		if (finish(c, call, m->data.result)) {
			over[i] = true;
			finished++;
			if (c->on_progress)
				c->on_progress(c->progress_ud, ++c->over);
		}
	}
	return finished;
}

/* When the next request may start (now, unless an announced quota is spent). */
static long long pace(cf_http_client *c, size_t in_flight, long long now)
{
	return c->cfg.rate_limit_headers ? cf_http_quota_next_start(c->quota, 2, in_flight, now) : now;
}

int cf_http_run(cf_http_client *c, cf_http_call *calls, size_t n, cf_error *err)
{
	size_t done = 0, in_flight = 0;
	/* Calls start in order, so only the window [lo, hi) (in flight, waiting
	 * for a retry, or finished out of order) needs looking at: a batch of
	 * 30,000 reads is not scanned whole after every answer. */
	size_t lo = 0, hi = 0;
	bool *busy = cf_xcalloc(n + 1, sizeof(bool)), *over = cf_xcalloc(n + 1, sizeof(bool));
	while (done < n) {
		long long now = now_ms();
		long long paced = pace(c, in_flight, now);
		while (lo < n && over[lo])
			lo++;
		for (size_t i = lo; i < n && in_flight < (size_t)c->cfg.parallelism && paced <= now; i++) {
			if (i >= hi)
				hi = i + 1;
			if (busy[i] || over[i] || calls[i].not_before_ms > now)
				continue;
			if (c->requests >= c->cfg.max_requests) {
				over[i] = true;
				done++;
				calls[i].rc = CF_EAPI;
				free(calls[i].error);
				calls[i].error = cf_xasprintf("%s %s: not sent: this run already made %lu requests, "
							      "the most allowed (--max-requests)", calls[i].method,
							      calls[i].path, c->requests);
				continue;
			}
			start(c, &calls[i]);
			busy[i] = true;
			in_flight++;
			paced = pace(c, in_flight, now);
		}
		int running = 0;
		curl_multi_perform(c->multi, &running);
		done += reap(c, calls, busy, over, &in_flight);
		if (done == n)
			break;
		/* Sleep until the earliest retry is due, or until a transfer moves.
		 * A call that only waits for a free slot does not count: the end of
		 * a transfer wakes the poll (without this, the loop spins). */
		long long wake = now_ms() + 1000;
		bool slot = in_flight < (size_t)c->cfg.parallelism;
		if (slot && hi < n)
			wake = 0; /* calls never started, and room for them */
		for (size_t i = lo; i < hi; i++)
			if (!busy[i] && !over[i] && (slot || calls[i].not_before_ms > now) &&
			    calls[i].not_before_ms < wake)
				wake = calls[i].not_before_ms;
		if (paced > now && wake < paced)
			wake = paced; /* the quota is spent: nothing starts before its window ends */
		int timeout = (int)(wake - now_ms());
		if (timeout < 0)
			timeout = 0;
		if (in_flight)
			curl_multi_poll(c->multi, NULL, 0, timeout, NULL);
		else
			nanosleep(&(struct timespec){timeout / 1000, (long)(timeout % 1000) * 1000000L}, NULL);
	}
	free(busy);
	free(over);
	for (size_t i = 0; i < n; i++)
		if (calls[i].rc != CF_OK)
			return cf_error_set(err, calls[i].rc, "%s", calls[i].error);
	return CF_OK;
}

int cf_http_request(cJSON **out, cf_http_client *c, const char *method, unsigned flags,
		   const char *body, const char *path, cf_error *err)
{
	cf_http_call call;
	cf_http_call_init(&call, method, flags, body, "%s", path);
	int rc = cf_http_run(c, &call, 1, err);
	if (out) {
		*out = call.json;
		call.json = NULL;
	}
	cf_http_call_clear(&call);
	return rc;
}

int cf_http_get_many(cJSON **outs, cf_http_client *c, char *const *paths, size_t n, cf_error *err)
{
	return cf_http_get_many_shaped(outs, c, paths, n, NULL, NULL, err);
}

int cf_http_get_many_shaped(cJSON **outs, cf_http_client *c, char *const *paths, size_t n,
			   void (*shape)(cJSON *json, void *ud), void *ud, cf_error *err)
{
	cf_http_call *calls = cf_xcalloc(n + 1, sizeof(*calls));
	for (size_t i = 0; i < n; i++) {
		cf_http_call_init(&calls[i], "GET", CF_HTTP_IDEMPOTENT, NULL, "%s", paths[i]);
		calls[i].shape = shape;
		calls[i].shape_ud = ud;
	}
	int rc = cf_http_run(c, calls, n, err);
	for (size_t i = 0; i < n; i++) {
		outs[i] = calls[i].json;
		calls[i].json = NULL;
		cf_http_call_clear(&calls[i]);
	}
	free(calls);
	return rc;
}

int cf_http_get_list(cJSON **out, cf_http_client *c, const char *path, const char *key, cf_error *err)
{
	cJSON *j = NULL;
	*out = NULL;
	int rc = cf_http_request(&j, c, "GET", CF_HTTP_IDEMPOTENT, NULL, path, err);
	if (rc != CF_OK)
		return rc;
	cJSON *list = key ? cJSON_DetachItemFromObjectCaseSensitive(j, key) : j;
	if (!cJSON_IsArray(list)) {
		rc = cf_error_set(err, CF_EAPI, "GET %s: the answer has an unexpected shape (no %s%s%s list)",
				  path, key ? "\"" : "", key ? key : "", key ? "\"" : "");
		cJSON_Delete(list);
		list = NULL;
	}
	if (key)
		cJSON_Delete(j);
	*out = list;
	return rc;
}

int cf_http_delete(cf_http_client *c, const char *path, cf_error *err)
{
	cf_http_call call;
	cf_http_call_init(&call, "DELETE", CF_HTTP_IDEMPOTENT, NULL, "%s", path);
	int rc = cf_http_run(c, &call, 1, err);
	if (rc == CF_ENOTFOUND) {
		rc = CF_OK; /* gone already: an earlier attempt, or someone else, deleted it */
		cf_error_clear(err);
	}
	cf_http_call_clear(&call);
	return rc;
}

void cf_http_config_clear(cf_http_config *cfg)
{
	free(cfg->base_url);
	free(cfg->token);
	free(cfg->context);
	cfg->base_url = cfg->token = cfg->context = NULL;
}
