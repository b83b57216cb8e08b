/*
 * http: libmicrohttpd around the handlers. Every request is authenticated,
 * delayed by --latency-ms, and possibly failed by --fail-every or
 * --throttle-every before it reaches its route; mutations are saved to
 * --state before the response leaves, so an acknowledged change survives a kill.
 */
#include "cmd/sandbox/sandbox.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PREFIX "/api/v1alpha"

typedef struct route {
	const char *method;
	const char *pattern; /* segments; ":x" captures one */
	sbx_handler handler;
	bool mutates;
} route;

static const route routes[] = {
	{"GET", "/projects", h_projects_list, false},
	{"GET", "/projects/:name", h_project_get, false},
	{"GET", "/roles", h_roles_list, false},
	{"GET", "/self_hosted_agent_types", h_agent_types_list, false},
	{"POST", "/self_hosted_agent_types", h_agent_type_create, true},
	{"GET", "/self_hosted_agent_types/:name", h_agent_type_get, false},
	{"PATCH", "/self_hosted_agent_types/:name", h_agent_type_update, true},
	{"DELETE", "/self_hosted_agent_types/:name", h_agent_type_delete, true},
	{"POST", "/self_hosted_agent_types/:name/disable_all", h_agent_type_disable_all, true},
	{"GET", "/deployment_targets", h_targets_list, false},
	{"POST", "/deployment_targets", h_target_create, true},
	{"GET", "/deployment_targets/:id", h_target_get, false},
	{"PATCH", "/deployment_targets/:id", h_target_update, true},
	{"DELETE", "/deployment_targets/:id", h_target_delete, true},
	{"PATCH", "/deployment_targets/:id/activate", h_target_activate, true},
	{"PATCH", "/deployment_targets/:id/deactivate", h_target_deactivate, true},
	{"GET", "/artifacts_retention_policies/:project_id", h_retention_get, false},
	{"POST", "/artifacts_retention_policies", h_retention_set, true},
};

typedef struct upload {
	char *data;
	size_t len;
} upload;

const char *sbx_query(sbx_req *rq, const char *key)
{
	return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, key);
}

/* Matches path against pattern, filling params; segments are URL-decoded by MHD. */
static bool match(const char *pattern, const char *path, char segs[2][256], const char *params[2])
{
	int np = 0;
	while (*pattern && *path) {
		if (*pattern++ != '/' || *path++ != '/')
			return false;
		const char *pe = strchr(pattern, '/'), *se = strchr(path, '/');
		size_t pl = pe ? (size_t)(pe - pattern) : strlen(pattern);
		size_t sl = se ? (size_t)(se - path) : strlen(path);
		if (*pattern == ':') {
			if (np == 2 || sl == 0 || sl >= 256)
				return false;
			memcpy(segs[np], path, sl);
			segs[np][sl] = '\0';
			params[np] = segs[np];
			np++;
		} else if (pl != sl || strncmp(pattern, path, pl) != 0) {
			return false;
		}
		pattern += pl;
		path += sl;
	}
	return !*pattern && !*path;
}

static void count_route(sbx *s, const char *method, const char *pattern)
{
	char key[128];
	snprintf(key, sizeof(key), "%s %s", method, pattern);
	cJSON *n = cJSON_GetObjectItemCaseSensitive(s->route_counts, key);
	if (n)
		cJSON_SetNumberValue(n, n->valuedouble + 1);
	else
		cJSON_AddNumberToObject(s->route_counts, key, 1);
}

static void stats(sbx *s, sbx_resp *rs)
{
	rs->body = cJSON_CreateObject();
	cJSON_AddNumberToObject(rs->body, "requests", (double)s->requests);
	cJSON_AddNumberToObject(rs->body, "max_in_flight", s->max_in_flight);
	cJSON_AddItemToObject(rs->body, "routes", cJSON_Duplicate(s->route_counts, 1));
	cJSON_AddItemToObject(rs->body, "user_agents", cJSON_Duplicate(s->user_agents, 1));
}

static void dispatch(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	char segs[2][256];
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const route *r = &routes[i];
		if (!match(r->pattern, rq->path, segs, rq->params))
			continue;
		if (strcmp(r->method, rq->method) != 0)
			continue;
		count_route(s, r->method, r->pattern);
		r->handler(s, rq, rs);
		char *err = NULL;
		if (r->mutates && rs->status < 300 && sbx_save(s, &err) != 0) {
			fprintf(stderr, "ciform-sandbox: cannot save state: %s\n", err ? err : "?");
			sbx_error(rs, 500, "state could not be saved");
		}
		free(err);
		return;
	}
	sbx_error(rs, 404, "Not Found");
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0)
		;
}

static void handle(sbx *s, struct MHD_Connection *conn, const char *url, const char *method,
		   upload *up, sbx_resp *rs)
{
	if (strcmp(url, "/_sandbox/stats") == 0) { /* unauthenticated, uncounted: for tests */
		pthread_mutex_lock(&s->lock);
		stats(s, rs);
		pthread_mutex_unlock(&s->lock);
		return;
	}
	pthread_mutex_lock(&s->lock);
	if (++s->in_flight > s->max_in_flight)
		s->max_in_flight = s->in_flight;
	pthread_mutex_unlock(&s->lock);
	if (s->latency_ms > 0)
		sleep_ms(s->latency_ms);
	pthread_mutex_lock(&s->lock);
	s->in_flight--;
	unsigned long n = ++s->requests;
	const char *ua = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "User-Agent");
	cJSON *seen = cJSON_GetObjectItemCaseSensitive(s->user_agents, ua ? ua : "(none)");
	if (seen)
		cJSON_SetNumberValue(seen, seen->valuedouble + 1);
	else
		cJSON_AddNumberToObject(s->user_agents, ua ? ua : "(none)", 1);
	const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
	char expected[512];
	snprintf(expected, sizeof(expected), "Token %s", s->token);
	if (s->fail_every > 0 && n % (unsigned long)s->fail_every == 0) {
		sbx_error(rs, 503, "Service Unavailable");
	} else if (s->throttle_every > 0 && n % (unsigned long)s->throttle_every == 0) {
		sbx_error(rs, 429, "Too Many Requests");
		rs->retry_after = 1;
	} else if (!auth || strcmp(auth, expected) != 0) {
		sbx_error(rs, 401, "Unauthorized");
	} else if (strncmp(url, PREFIX "/", strlen(PREFIX) + 1) != 0) {
		sbx_error(rs, 404, "Not Found");
	} else {
		sbx_req rq = {.method = method, .path = url + strlen(PREFIX), .conn = conn,
			      .raw_body = up->data ? up->data : ""};
		rq.body = up->len ? cJSON_ParseWithLength(up->data, up->len) : NULL;
		if (up->len && !rq.body && up->data[0] == '{')
			sbx_error(rs, 400, "Invalid JSON body");
		else
			dispatch(s, &rq, rs);
		cJSON_Delete(rq.body);
	}
	pthread_mutex_unlock(&s->lock);
}

/* The truncate fault: promise a long body, send the start of it, then fail. */
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

/* --fault: answers as a broken server or proxy would; MHD_NO drops the connection. */
static enum MHD_Result misbehave(const char *fault, struct MHD_Connection *conn)
{
	struct MHD_Response *resp = NULL;
	if (!strcmp(fault, "close"))
		return MHD_NO;
	if (!strcmp(fault, "truncate")) {
		resp = MHD_create_response_from_callback(4096, 1024, short_body, NULL, NULL);
	} else {
		const char *body = !strcmp(fault, "html") ? "<html><body>502 Bad Gateway</body></html>"
							   : "{\"unexpected\": \"shape\"}";
		resp = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
		MHD_add_response_header(resp, "Content-Type", !strcmp(fault, "html") ? "text/html" : "application/json");
	}
	enum MHD_Result r = MHD_queue_response(conn, 200, resp);
	MHD_destroy_response(resp);
	return r;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *data,
				  size_t *size, void **con_cls)
{
	(void)version;
	upload *up = *con_cls;
	if (!up) {
		*con_cls = calloc(1, sizeof(upload));
		return MHD_YES;
	}
	if (*size) {
		up->data = realloc(up->data, up->len + *size + 1);
		memcpy(up->data + up->len, data, *size);
		up->len += *size;
		up->data[up->len] = '\0';
		*size = 0;
		return MHD_YES;
	}
	sbx *s = cls;
	if (s->fault && strncmp(url, PREFIX "/", strlen(PREFIX) + 1) == 0)
		return misbehave(s->fault, conn);
	sbx_resp rs = {.status = 200, .has_more = -1};
	handle(cls, conn, url, method, up, &rs);
	char *text = rs.body ? cJSON_PrintUnformatted(rs.body) : strdup("{}");
	cJSON_Delete(rs.body);
	struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(resp, "Content-Type", "application/json");
	if (rs.has_more >= 0)
		MHD_add_response_header(resp, "x-has-more", rs.has_more ? "true" : "false");
	if (rs.retry_after > 0) {
		char v[16];
		snprintf(v, sizeof(v), "%d", rs.retry_after);
		MHD_add_response_header(resp, "Retry-After", v);
	}
	enum MHD_Result r = MHD_queue_response(conn, (unsigned int)rs.status, resp);
	MHD_destroy_response(resp);
	return r;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode code)
{
	(void)cls;
	(void)conn;
	(void)code;
	upload *up = *con_cls;
	if (up) {
		free(up->data);
		free(up);
	}
	*con_cls = NULL;
}

int sbx_serve(sbx *s, int port, int *bound_port, void **daemon)
{
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct MHD_Daemon *d = MHD_start_daemon(
		MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG,
		(uint16_t)port, NULL, NULL, on_request, s,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)120,
		MHD_OPTION_END);
	if (!d)
		return -1;
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	*bound_port = info ? info->port : port;
	*daemon = d;
	return 0;
}

void sbx_stop(void *daemon)
{
	MHD_stop_daemon(daemon);
}
