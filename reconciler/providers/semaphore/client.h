/*
 * client: HTTP to the Semaphore API, and nothing else.
 *
 * Every request goes through one curl multi handle, so connections are
 * reused across requests, and a batch of GETs runs with at most
 * `parallelism` transfers in flight, results in submission order. Requests
 * carry the token and the User-Agent the API requires. 429, 502, 503, 504
 * and transport failures are retried (5 attempts, exponential backoff with
 * jitter, Retry-After honoured) when the request is idempotent (a timeout
 * only once: a server that stalled twice will not answer); anything
 * else is returned as a cf_error naming the method, the path and the status,
 * never the token.
 */
#ifndef CF_SEM_CLIENT_H
#define CF_SEM_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>
#include "reconciler/error.h"
#include "reconciler/provider.h"

typedef struct cf_sem_config {
	char *base_url; /* scheme://host[:port]/api/v1alpha */
	char *token;
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
	char *sem_context;           /* the ~/.sem.yaml context the settings came from, or NULL */
} cf_sem_config;

/* The connection settings (provider.h cf_conn_settings): explicit values
 * win; then SEMAPHORE_ORG_URL and SEMAPHORE_API_TOKEN; when neither a URL nor
 * a token is given, the sem CLI's ~/.sem.yaml (its active context, or context). */

/* Fills cfg (defaults included); cf_sem_config_clear frees it. */
int cf_sem_config_resolve(cf_sem_config *cfg, const cf_conn_settings *in, cf_error *err);
void cf_sem_config_clear(cf_sem_config *cfg);

/* "acme.semaphoreci.com" -> "https://acme.semaphoreci.com/api/v1alpha".
 * https is required; http only for loopback hosts. */
int cf_sem_url_normalize(char **out, const char *org_url, cf_error *err);

typedef struct cf_sem_client cf_sem_client;

int cf_sem_client_new(cf_sem_client **out, const cf_sem_config *cfg, cf_error *err);
void cf_sem_client_free(cf_sem_client *c);
/* HTTP requests sent so far, retries included. */
unsigned long cf_sem_client_requests(const cf_sem_client *c);
/* Calls fn after every call that is over, with how many are over so far. */
void cf_sem_client_on_progress(cf_sem_client *c, void (*fn)(void *ud, unsigned long done), void *ud);

/* Calls fn after every attempt of every request (NULL: no tracing). */
void cf_sem_client_on_trace(cf_sem_client *c, void (*fn)(void *ud, const cf_trace *t), void *ud);

enum {
	CF_SEM_IDEMPOTENT = 1u, /* safe to send again: GET, or a mutation with a unique_token */
};

typedef struct cf_sem_call {
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
} cf_sem_call;

/* Sets up a call; path is printf-formatted (escape parts with cf_sem_escape). */
void cf_sem_call_init(cf_sem_call *call, const char *method, unsigned flags, const char *body,
		      const char *path_fmt, ...) __attribute__((format(printf, 5, 6)));
void cf_sem_call_clear(cf_sem_call *call);

/* Runs the calls, at most cfg.parallelism at a time; each call's rc says how
 * it went. Returns 0 when all succeeded, else the first failure's rc with its
 * message copied into err. */
int cf_sem_run(cf_sem_client *c, cf_sem_call *calls, size_t n, cf_error *err);

/* One call: returns its JSON answer in *out (caller frees). */
int cf_sem_request(cJSON **out, cf_sem_client *c, const char *method, unsigned flags,
		   const char *body, const char *path, cf_error *err);

/* GETs of paths[i] into outs[i], in parallel; outs[i] is NULL for a
 * failure, and the first failure is returned. */
int cf_sem_get_many(cJSON **outs, cf_sem_client *c, char *const *paths, size_t n, cf_error *err);
/* The same, each answer passed through shape (see cf_sem_call) on arrival. */
int cf_sem_get_many_shaped(cJSON **outs, cf_sem_client *c, char *const *paths, size_t n,
			   void (*shape)(cJSON *json, void *ud), void *ud, cf_error *err);

/* GET of a list: the answer itself (key NULL) or its member key, which must
 * be an array ("the answer has an unexpected shape" otherwise). */
int cf_sem_get_list(cJSON **out, cf_sem_client *c, const char *path, const char *key, cf_error *err);

/* DELETE, retried; a resource already gone (404) counts as deleted. */
int cf_sem_delete(cf_sem_client *c, const char *path, cf_error *err);

/* A cJSON object that lives as long as the client, for endpoint caches. */
cJSON *cf_sem_client_cache(cf_sem_client *c);

/* URL-escapes a path segment or query value; caller frees. */
char *cf_sem_escape(const char *s);

#endif
