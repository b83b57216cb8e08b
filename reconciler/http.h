/*
 * http: the transfer engine every provider's client is made of, and nothing
 * else.
 *
 * Every request goes through one curl multi handle, so connections are
 * reused across requests, and a batch of GETs runs with at most
 * `parallelism` transfers in flight, results in submission order. Requests
 * carry the token in the provider's auth header and a User-Agent. 429, 502,
 * 503, 504 and transport failures are retried (5 attempts, exponential
 * backoff with jitter, Retry-After honoured) when the request is idempotent
 * (a timeout only once: a server that stalled twice will not answer), and a
 * 429 for any method where the provider says a 429 means nothing was done;
 * anything else is returned as a cf_error naming the method, the path, the
 * status and the server's own words, never the token. A provider whose
 * server announces its quota in RateLimit-* headers has requests paced by
 * them, and its lists may follow the Link header (http_headers.h).
 */
#ifndef CF_HTTP_H
#define CF_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>
#include "reconciler/error.h"
#include "reconciler/provider.h" /* cf_trace */

typedef struct cf_http_config {
	char *base_url; /* scheme://host[:port]/path: what a call's path is appended to */
	char *token;    /* goes in the auth header; blotted out of every message */
	const char *auth_prefix; /* the header before the token: "Authorization: Bearer " (default) */
	const char *user_agent;  /* NULL: "ciform/VERSION" */
	/* What a 401 or a 403 should make the user check (the provider's
	 * settings and permissions), appended to the message; may be NULL. */
	const char *auth_hint, *forbidden_hint;
	long connect_timeout_ms; /* default 10 s */
	long timeout_ms;         /* whole request, default 60 s */
	int parallelism;         /* transfers in flight, default 8 */
	int max_attempts;        /* default 5 */
	long retry_base_ms;      /* first backoff, default 500 ms; doubles */
	long retry_max_ms;       /* backoff cap, default 30 s */
	/* Bounds against a server that misbehaves; 0 takes the default. */
	size_t max_answer_bytes;     /* one answer's body, default 32 MiB */
	unsigned long max_requests;  /* requests in one run, retries included, default 100,000 */
	long low_speed_secs;         /* abort an answer that stalls (< 1 byte/s) this long, default 20 */
	char *context;               /* the vendor CLI's context the settings came from, or NULL */
	/* RateLimit-Remaining/-Reset and RateLimit-User-* pace the requests (none
	 * starts while a Remaining is at or below the requests in flight, until
	 * its reset), and a 429 waits the longest of those resets, the body's
	 * "reset" and Retry-After, at most 120 s. */
	bool rate_limit_headers;
	bool retry_429_writes; /* the server's 429 means nothing was done: any method may be sent again */
} cf_http_config;

/* Frees what cfg owns (base_url, token, context). */
void cf_http_config_clear(cf_http_config *cfg);

typedef struct cf_http_client cf_http_client;

int cf_http_client_new(cf_http_client **out, const cf_http_config *cfg, cf_error *err);
void cf_http_client_free(cf_http_client *c);
/* HTTP requests sent so far, retries included. */
unsigned long cf_http_client_requests(const cf_http_client *c);
/* Calls fn after every call that is over, with how many are over so far. */
void cf_http_client_on_progress(cf_http_client *c, void (*fn)(void *ud, unsigned long done), void *ud);

/* Calls fn after every attempt of every request (NULL: no tracing). */
void cf_http_client_on_trace(cf_http_client *c, void (*fn)(void *ud, const cf_trace *t), void *ud);

enum {
	CF_HTTP_IDEMPOTENT = 1u, /* safe to send again: GET, or a mutation with a unique_token */
};

typedef struct cf_http_call {
	/* in */
	const char *method;
	char *path;  /* after the base URL, query included; owned. A path that
		      * starts with /api/ replaces the base URL's /api/v1alpha
		      * ("/api/v1beta/secrets"). */
	char *body;  /* JSON, or NULL; owned */
	unsigned flags;
	/* Optional: applied to the parsed answer as soon as it arrives (a batch
	 * of 10,000 reads then holds 10,000 trimmed answers, not full ones). */
	void (*shape)(cJSON *json, void *ud);
	void *shape_ud;
	/* out */
	int rc;          /* 0, or a CF_E* code with error set */
	long status;     /* HTTP status, 0 when none came */
	cJSON *json;     /* the parsed body of a 2xx answer */
	int has_more;    /* x-has-more: 1, 0, or -1 when absent */
	/* The Link header's rel="next" page as a path after the base URL (never
	 * print it raw: http_headers.h drops api_key), or NULL on the last page;
	 * link_elsewhere when the server pointed outside the base URL. */
	char *link_next;
	bool link_elsewhere;
	bool retryable;  /* it failed in a way that an identical retry might not */
	char *error;     /* message for rc != 0 */
	/* private */
	int attempts;
	long long started_ms;
	long long not_before_ms;
	long retry_after_ms;
	size_t limit;     /* max_answer_bytes */
	bool too_big;
	char *resp;
	size_t resp_len;
	void *easy;
	void *headers;
	char errbuf[256];
} cf_http_call;

/* Sets up a call; path is printf-formatted (escape parts with cf_http_escape). */
void cf_http_call_init(cf_http_call *call, const char *method, unsigned flags, const char *body,
		      const char *path_fmt, ...) __attribute__((format(printf, 5, 6)));
void cf_http_call_clear(cf_http_call *call);

/* Runs the calls, at most cfg.parallelism at a time; each call's rc says how
 * it went. Returns 0 when all succeeded, else the first failure's rc with its
 * message copied into err. */
int cf_http_run(cf_http_client *c, cf_http_call *calls, size_t n, cf_error *err);

/* One call: returns its JSON answer in *out (caller frees). */
int cf_http_request(cJSON **out, cf_http_client *c, const char *method, unsigned flags,
		   const char *body, const char *path, cf_error *err);

/* GETs of paths[i] into outs[i], in parallel; outs[i] is NULL for a
 * failure, and the first failure is returned. */
int cf_http_get_many(cJSON **outs, cf_http_client *c, char *const *paths, size_t n, cf_error *err);
/* The same, each answer passed through shape (see cf_http_call) on arrival. */
int cf_http_get_many_shaped(cJSON **outs, cf_http_client *c, char *const *paths, size_t n,
			   void (*shape)(cJSON *json, void *ud), void *ud, cf_error *err);

/* GET of a list: the answer itself (key NULL) or its member key, which must
 * be an array ("the answer has an unexpected shape" otherwise). */
int cf_http_get_list(cJSON **out, cf_http_client *c, const char *path, const char *key, cf_error *err);

/* DELETE, retried; a resource already gone (404) counts as deleted. */
int cf_http_delete(cf_http_client *c, const char *path, cf_error *err);

/* A cJSON object that lives as long as the client, for endpoint caches. */
cJSON *cf_http_cache(cf_http_client *c);

/* URL-escapes a path segment or query value; caller frees. */
char *cf_http_escape(const char *s);

#endif
