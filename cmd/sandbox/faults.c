/*
 * faults: how the sandbox plays a broken or hostile server (--fault), and
 * the request log tests read to see exactly what a client sent (--record).
 *
 * None of this is the real server's behaviour: it is what proxies, dying
 * servers and attackers do, so that every bound the client keeps (answer
 * size, pages, stalled bodies, shapes) has something to be tried against.
 */
#include "cmd/sandbox/sandbox.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PREFIX "/api/v1alpha"

/* Every mode and what it does, for --help and for checking --fault. */
static const struct {
	const char *name;
	const char *routes; /* NULL: every API request; else only paths starting so */
	const char *method; /* only requests of this method; NULL: any */
	bool any_api;       /* every --api's paths too, not only Semaphore's /api/v1alpha */
} modes[] = {
	{.name = "close", .routes = NULL},          /* the connection closes, no answer */
	{.name = "truncate", .routes = NULL},       /* the body stops short */
	{.name = "html", .routes = NULL},           /* a 200 that is not JSON */
	{.name = "shape", .routes = NULL},          /* a 200 with JSON of the wrong shape */
	{.name = "endless", .routes = NULL},        /* a 200 whose body never ends */
	{.name = "slow", .routes = NULL},           /* a 200 whose body trickles, a byte every 2 s */
	{.name = "endless-pages", .routes = "/projects"}, /* every project page says more come */
	{.name = "null-lists", .routes = "/deployment_targets"}, /* target lists answered null */
	/* a DELETE, to any vendor's API, answered 503 in a 404's words: a
	 * proxy's error page quoting its backend, for clients that must decide
	 * on the status, never on the text (tf buildkite client.go apiError) */
	{.name = "not-found-503", .routes = NULL, .method = "DELETE", .any_api = true},
};

bool sbx_fault_known(const char *mode)
{
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(modes[i].name, mode))
			return true;
	return false;
}

static bool applies(const char *mode, const char *url, const char *method)
{
	bool alpha = !strncmp(url, PREFIX "/", strlen(PREFIX) + 1);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(modes[i].name, mode) && (alpha || (modes[i].any_api && strncmp(url, "/_sandbox/", 10))))
			return modes[i].method ? !strcmp(method, modes[i].method)
			       : !modes[i].routes || (!strcmp(method, "GET") &&
						      !strcmp(url + strlen(PREFIX), modes[i].routes));
	return false;
}

/* truncate: promise a long body, send the start of it, then fail. */
static ssize_t short_body(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)cls;
	static const char start[] = "{\"agent_types\": [{\"metadata\": {\"na";
	if (pos >= sizeof(start) - 1)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	size_t n = sizeof(start) - 1 - (size_t)pos;
	if (n > max)
		n = max;
	memcpy(buf, start + pos, n);
	return (ssize_t)n;
}

/* endless: "[" and then list items for ever. */
static ssize_t endless_body(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)cls;
	static const char item[] = "{\"name\": \"again-and-again\"},";
	size_t n = 0;
	if (pos == 0 && max > 0)
		buf[n++] = '[';
	while (n + sizeof(item) - 1 <= max) {
		memcpy(buf + n, item, sizeof(item) - 1);
		n += sizeof(item) - 1;
	}
	return n ? (ssize_t)n : (ssize_t)max;
}

/* slow: one byte of a valid answer every 2 s. */
static ssize_t slow_body(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)cls;
	static const char body[] = "[]                                                              ";
	if (pos >= sizeof(body) - 1)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (pos > 0)
		sleep(2);
	if (max < 1)
		return 0;
	buf[0] = body[pos];
	return 1;
}

int sbx_misbehave(const char *fault, void *connection, const char *url, const char *method)
{
	struct MHD_Connection *conn = connection;
	if (!applies(fault, url, method))
		return -1;
	struct MHD_Response *resp = NULL;
	if (!strcmp(fault, "close"))
		return MHD_NO;
	if (!strcmp(fault, "truncate")) {
		resp = MHD_create_response_from_callback(4096, 1024, short_body, NULL, NULL);
	} else if (!strcmp(fault, "endless")) {
		resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, endless_body, NULL, NULL);
	} else if (!strcmp(fault, "slow")) {
		resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 1, slow_body, NULL, NULL);
	} else {
		const char *body = !strcmp(fault, "html") ? "<html><body>502 Bad Gateway</body></html>"
				   : !strcmp(fault, "endless-pages") ? "[]"
				   : !strcmp(fault, "null-lists") ? "null"
				   : !strcmp(fault, "not-found-503") ? "{\"message\": \"Not Found\"}"
								  : "{\"unexpected\": \"shape\"}";
		resp = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
		MHD_add_response_header(resp, "Content-Type", !strcmp(fault, "html") ? "text/html" : "application/json");
		if (!strcmp(fault, "endless-pages"))
			MHD_add_response_header(resp, "x-has-more", "true");
	}
	enum MHD_Result r = MHD_queue_response(conn, !strcmp(fault, "not-found-503") ? 503 : 200, resp);
	MHD_destroy_response(resp);
	return r;
}

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	cJSON_AddStringToObject(cls, key, value ? value : "");
	return MHD_YES;
}

void sbx_record(sbx *s, void *connection, const char *url, const char *method, const char *body)
{
	/* v1alpha paths as the client writes them after its base URL; the
	 * secrets APIs (/api/v1beta, /api/v1) in full; */
	bool alpha = !s->vendor && !strncmp(url, PREFIX "/", strlen(PREFIX) + 1);
	if (!s->record_file || (!s->vendor && !alpha && strncmp(url, "/api/v1beta/", 12) != 0 &&
				strncmp(url, "/api/v1/", 8) != 0))
		return; /* another vendor's API (--api): every path, in full */
	cJSON *line = cJSON_CreateObject();
	cJSON_AddStringToObject(line, "method", method);
	cJSON_AddStringToObject(line, "path", alpha ? url + strlen(PREFIX) : url);
	cJSON *query = cJSON_AddObjectToObject(line, "query");
	MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, add_arg, query);
	cJSON *parsed = body ? cJSON_Parse(body) : NULL;
	if (parsed)
		cJSON_AddItemToObject(line, "body", parsed);
	else if (body)
		cJSON_AddStringToObject(line, "body", body);
	else
		cJSON_AddNullToObject(line, "body");
	char *text = cJSON_PrintUnformatted(line);
	cJSON_Delete(line);
	pthread_mutex_lock(&s->lock);
	FILE *f = fopen(s->record_file, "a");
	if (f) {
		fprintf(f, "%s\n", text);
		fclose(f);
	}
	pthread_mutex_unlock(&s->lock);
	free(text);
}

/*
 * --freeze-after-writes N: once N writes are carried out, every later API
 * request is held and never answered, so a test can wait for the stats to
 * show N writes and then kill the client at exactly that point of its apply
 * (a deterministic kill point, where a timer would race the client).
 * GET /_sandbox/stats is answered before this check (http.c handle).
 */
bool sbx_frozen(sbx *s)
{
	if (s->freeze_after_writes <= 0 || s->writes < (unsigned long)s->freeze_after_writes)
		return false;
	s->frozen++;
	return true;
}

/* Holds the calling connection's thread until the sandbox stops (main.c
 * sets stopping before stopping the daemon, which joins this thread); the
 * request is then answered 503, by which time its client is long gone. */
void sbx_freeze(sbx *s)
{
	for (;;) {
		pthread_mutex_lock(&s->lock);
		bool stop = s->stopping;
		pthread_mutex_unlock(&s->lock);
		if (stop)
			return;
		usleep(20000);
	}
}

/*
 * --lose-every N: every Nth write the server carried out (its change made
 * and saved to --state) is answered 503 instead of its real answer. This is
 * what a client meets when a proxy or load balancer times out after the
 * server committed, or the connection drops on the way back: the change
 * happened, the client cannot know it. --fail-every, by contrast, answers
 * before the server sees the request. A client must re-read and adopt
 * rather than send the POST again blindly.
 */
void sbx_after_write(sbx *s, const char *method, sbx_resp *rs)
{
	if (!strcmp(method, "GET") || !strcmp(method, "HEAD") || rs->status >= 300)
		return;
	s->writes++;
	if (s->lose_every <= 0 || s->writes % (unsigned long)s->lose_every != 0)
		return;
	s->lost++;
	free(rs->headers); /* the proxy's 503 carries none of the server's headers */
	rs->headers = NULL;
	rs->has_more = -1;
	rs->page = 0;
	rs->retry_after = 0;
	sbx_error(rs, 503, "Service Unavailable");
}
