/*
 * http: libmicrohttpd around the handlers. Every request is authenticated,
 * delayed by --latency-ms, and possibly failed by --fail-every or
 * --throttle-every before it reaches its route; mutations are saved to
 * --state before the response leaves, so an acknowledged change survives a kill.
 * Once answered, a write may still be lost (--lose-every) and, past
 * --freeze-after-writes, requests are held unanswered (faults.c).
 *
 * The request is read the way Plug reads it in the real server, because
 * clients meet these edges: a JSON body is parsed only when its Content-Type
 * says JSON, a form body is parsed as a form, any other body is ignored; a
 * body over 8,000,000 bytes is refused; query, body and path parameters are
 * merged into one set (semaphoreio/semaphore public-api/v1alpha/lib/
 * pipelines_api/router.ex, plug Plug.Parsers and handle_errors).
 * Answers carry no Content-Type unless the server sets one: its handlers
 * call send_resp without put_resp_content_type.
 */
#include "cmd/sandbox/sandbox.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define PREFIX "/api/v1alpha"

/* Plug.Parsers' default :length for JSON, and the :urlencoded one the
 * router sets: a longer body is refused before any handler runs. */
#define MAX_BODY 8000000

typedef struct route {
	const char *method;
	const char *pattern; /* segments; ":x" captures one (the name shown in stats) */
	sbx_handler handler;
	bool mutates;
	const char *param; /* the server's name for the captured segment */
	const char *prefix; /* the API version it answers under; NULL: /api/v1alpha */
} route;

/* semaphoreio/semaphore public-api/v1alpha/lib/pipelines_api/router.ex (match ...) and
 * projecthub-rest-api/lib/projecthub/http_api.ex (get "/api/v1alpha/projects...") */
static const route routes[] = {
	{.method = "GET", .pattern = "/projects", .handler = h_projects_list,
	  .mutates = false, .param = NULL, .prefix = NULL},
	{.method = "GET", .pattern = "/projects/:name", .handler = h_project_get,
	  .mutates = false, .param = "name", .prefix = NULL},
	{.method = "PATCH", .pattern = "/projects/:id", .handler = h_project_update,
	  .mutates = true, .param = "id", .prefix = NULL},
	/* tasks and their older name, schedules: public-api router.ex, pipelines_api/schedules/ */
	{.method = "GET", .pattern = "/tasks", .handler = h_tasks_list,
	  .mutates = false, .param = NULL, .prefix = NULL},
	{.method = "POST", .pattern = "/tasks", .handler = h_task_apply,
	  .mutates = true, .param = NULL, .prefix = NULL},
	{.method = "GET", .pattern = "/tasks/:id", .handler = h_task_get,
	  .mutates = false, .param = "identifier", .prefix = NULL},
	{.method = "DELETE", .pattern = "/tasks/:id", .handler = h_task_delete,
	  .mutates = true, .param = "identifier", .prefix = NULL},
	{.method = "GET", .pattern = "/schedules", .handler = h_tasks_list,
	  .mutates = false, .param = NULL, .prefix = NULL},
	{.method = "POST", .pattern = "/schedules", .handler = h_task_apply,
	  .mutates = true, .param = NULL, .prefix = NULL},
	{.method = "GET", .pattern = "/schedules/:id", .handler = h_task_get,
	  .mutates = false, .param = "identifier", .prefix = NULL},
	{.method = "DELETE", .pattern = "/schedules/:id", .handler = h_task_delete,
	  .mutates = true, .param = "identifier", .prefix = NULL},
	{.method = "GET", .pattern = "/roles", .handler = h_roles_list,
	  .mutates = false, .param = NULL, .prefix = NULL},
	{.method = "GET", .pattern = "/roles/:id", .handler = h_role_get,
	  .mutates = false, .param = "id", .prefix = NULL},
	{.method = "GET", .pattern = "/self_hosted_agent_types", .handler = h_agent_types_list,
	  .mutates = false, .param = NULL, .prefix = NULL},
	{.method = "POST", .pattern = "/self_hosted_agent_types", .handler = h_agent_type_create,
	  .mutates = true, .param = NULL, .prefix = NULL},
	{.method = "GET", .pattern = "/self_hosted_agent_types/:name", .handler = h_agent_type_get,
	  .mutates = false, .param = "agent_type_name", .prefix = NULL},
	{.method = "PATCH", .pattern = "/self_hosted_agent_types/:name", .handler = h_agent_type_update,
	  .mutates = true, .param = "agent_type_name", .prefix = NULL},
	{.method = "DELETE", .pattern = "/self_hosted_agent_types/:name", .handler = h_agent_type_delete,
	  .mutates = true, .param = "agent_type_name", .prefix = NULL},
	{.method = "POST", .pattern = "/self_hosted_agent_types/:name/disable_all", .handler = h_agent_type_disable_all,
	  .mutates = true, .param = "agent_type_name", .prefix = NULL},
	{.method = "GET", .pattern = "/deployment_targets", .handler = h_targets_list,
	  .mutates = false, .param = NULL, .prefix = NULL},
	{.method = "POST", .pattern = "/deployment_targets", .handler = h_target_create,
	  .mutates = true, .param = NULL, .prefix = NULL},
	{.method = "GET", .pattern = "/deployment_targets/:id", .handler = h_target_get,
	  .mutates = false, .param = "target_id", .prefix = NULL},
	{.method = "PATCH", .pattern = "/deployment_targets/:id", .handler = h_target_update,
	  .mutates = true, .param = "target_id", .prefix = NULL},
	{.method = "DELETE", .pattern = "/deployment_targets/:id", .handler = h_target_delete,
	  .mutates = true, .param = "target_id", .prefix = NULL},
	{.method = "PATCH", .pattern = "/deployment_targets/:id/activate", .handler = h_target_activate,
	  .mutates = true, .param = "target_id", .prefix = NULL},
	{.method = "PATCH", .pattern = "/deployment_targets/:id/deactivate", .handler = h_target_deactivate,
	  .mutates = true, .param = "target_id", .prefix = NULL},
	{.method = "GET", .pattern = "/artifacts_retention_policies/:project_id", .handler = h_retention_get,
	  .mutates = false, .param = "project_id", .prefix = NULL},
	{.method = "POST", .pattern = "/artifacts_retention_policies", .handler = h_retention_set,
	  .mutates = true, .param = NULL, .prefix = NULL},
	/* public-api-gateway api/notifications.v1alpha/notifications.v1alpha.pb.gw.go */
	{.method = "GET", .pattern = "/notifications", .handler = h_notifications_list,
	  .mutates = false, .param = NULL, .prefix = NULL},
	{.method = "POST", .pattern = "/notifications", .handler = h_notification_create,
	  .mutates = true, .param = NULL, .prefix = NULL},
	{.method = "GET", .pattern = "/notifications/:id_or_name", .handler = h_notification_get,
	  .mutates = false, .param = "notification_id_or_name", .prefix = NULL},
	{.method = "PATCH", .pattern = "/notifications/:id_or_name", .handler = h_notification_update,
	  .mutates = true, .param = "notification_id_or_name", .prefix = NULL},
	{.method = "DELETE", .pattern = "/notifications/:id_or_name", .handler = h_notification_delete,
	  .mutates = true, .param = "notification_id_or_name", .prefix = NULL},
	/* public-api-gateway api/dashboards.v1alpha/dashboards.v1alpha.pb.gw.go */
	{.method = "GET", .pattern = "/dashboards", .handler = h_dashboards_list,
	  .mutates = false, .param = NULL, .prefix = NULL},
	{.method = "POST", .pattern = "/dashboards", .handler = h_dashboard_create,
	  .mutates = true, .param = NULL, .prefix = NULL},
	{.method = "GET", .pattern = "/dashboards/:id_or_name", .handler = h_dashboard_get,
	  .mutates = false, .param = "id_or_name", .prefix = NULL},
	{.method = "PATCH", .pattern = "/dashboards/:id_or_name", .handler = h_dashboard_update,
	  .mutates = true, .param = "id_or_name", .prefix = NULL},
	{.method = "DELETE", .pattern = "/dashboards/:id_or_name", .handler = h_dashboard_delete,
	  .mutates = true, .param = "id_or_name", .prefix = NULL},
	/* public-api-gateway api/secrets.v1beta/secrets.v1beta.pb.gw.go */
	{.method = "GET", .pattern = "/secrets", .handler = h_secrets_list,
	  .mutates = false, .param = NULL, .prefix = "/api/v1beta"},
	{.method = "POST", .pattern = "/secrets", .handler = h_secret_create,
	  .mutates = true, .param = NULL, .prefix = "/api/v1beta"},
	{.method = "GET", .pattern = "/secrets/:id_or_name", .handler = h_secret_get,
	  .mutates = false, .param = "secret_id_or_name", .prefix = "/api/v1beta"},
	{.method = "PATCH", .pattern = "/secrets/:id_or_name", .handler = h_secret_update,
	  .mutates = true, .param = "secret_id_or_name", .prefix = "/api/v1beta"},
	{.method = "DELETE", .pattern = "/secrets/:id_or_name", .handler = h_secret_delete,
	  .mutates = true, .param = "secret_id_or_name", .prefix = "/api/v1beta"},
	/* public-api-gateway api/project_secrets.v1/project_secrets.v1.pb.gw.go */
	{.method = "GET", .pattern = "/projects/:project/secrets", .handler = h_project_secrets_list,
	  .mutates = false, .param = "project_id_or_name", .prefix = "/api/v1"},
	{.method = "POST", .pattern = "/projects/:project/secrets", .handler = h_project_secret_create,
	  .mutates = true, .param = "project_id_or_name", .prefix = "/api/v1"},
	{.method = "GET", .pattern = "/projects/:project/secrets/:id_or_name", .handler = h_project_secret_get,
	  .mutates = false, .param = "project_id_or_name", .prefix = "/api/v1"},
	{.method = "PATCH", .pattern = "/projects/:project/secrets/:id_or_name", .handler = h_project_secret_update,
	  .mutates = true, .param = "project_id_or_name", .prefix = "/api/v1"},
	{.method = "DELETE", .pattern = "/projects/:project/secrets/:id_or_name", .handler = h_project_secret_delete,
	  .mutates = true, .param = "project_id_or_name", .prefix = "/api/v1"},
};

/* The API versions answered here, each route under one (route.prefix) */
static const char *const prefixes[] = {PREFIX, "/api/v1beta", "/api/v1", NULL};

static const char *api_prefix(const char *url)
{
	for (size_t i = 0; prefixes[i]; i++) {
		size_t n = strlen(prefixes[i]);
		if (!strncmp(url, prefixes[i], n) && url[n] == '/')
			return prefixes[i];
	}
	return NULL;
}

typedef struct upload {
	char *data;
	size_t len;
	bool too_large;
} upload;

const cJSON *sbx_param(const sbx_req *rq, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(rq->all, key);
}

const char *sbx_param_str(const sbx_req *rq, const char *key)
{
	return cJSON_GetStringValue(sbx_param(rq, key));
}

static void put_param(cJSON *all, const char *key, cJSON *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(all, key);
	cJSON_AddItemToObject(all, key, v);
}

static enum MHD_Result add_query(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	if (key)
		put_param(cls, key, value ? cJSON_CreateString(value) : cJSON_CreateNull());
	return MHD_YES;
}

/* a=1&b=2, each part percent-decoded, as Plug.Parsers.URLENCODED does */
static void add_form(cJSON *all, const char *body)
{
	char *copy = strdup(body);
	char *save = NULL;
	for (char *pair = strtok_r(copy, "&", &save); pair; pair = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(pair, '=');
		if (eq)
			*eq++ = '\0';
		for (char *c = pair; *c; c++)
			if (*c == '+')
				*c = ' ';
		for (char *c = eq; c && *c; c++)
			if (*c == '+')
				*c = ' ';
		MHD_http_unescape(pair);
		if (eq)
			MHD_http_unescape(eq);
		if (*pair)
			put_param(all, pair, cJSON_CreateString(eq ? eq : ""));
	}
	free(copy);
}

static bool content_type_is(const char *ct, const char *want)
{
	size_t n = strlen(want);
	return ct && strncasecmp(ct, want, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static bool is_json_type(const char *ct)
{
	if (content_type_is(ct, "application/json"))
		return true;
	/* Plug.Parsers.JSON also takes any application/...+json */
	const char *semi = ct ? strchr(ct, ';') : NULL;
	size_t n = ct ? (semi ? (size_t)(semi - ct) : strlen(ct)) : 0;
	return n > 17 && !strncasecmp(ct, "application/", 12) && !strncasecmp(ct + n - 5, "+json", 5);
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
	rs->content_type = "application/json";
	cJSON_AddNumberToObject(rs->body, "requests", (double)s->requests);
	cJSON_AddNumberToObject(rs->body, "max_in_flight", s->max_in_flight);
	cJSON_AddNumberToObject(rs->body, "connections", s->connections);
	cJSON_AddNumberToObject(rs->body, "writes", (double)s->writes); /* faults.c */
	cJSON_AddNumberToObject(rs->body, "lost", (double)s->lost);
	cJSON_AddNumberToObject(rs->body, "frozen", (double)s->frozen);
	cJSON_AddItemToObject(rs->body, "routes", cJSON_Duplicate(s->route_counts, 1));
	cJSON_AddItemToObject(rs->body, "user_agents", cJSON_Duplicate(s->user_agents, 1));
}

static void dispatch(sbx *s, sbx_req *rq, sbx_resp *rs, const char *prefix)
{
	char segs[2][256];
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const route *r = &routes[i];
		if (strcmp(r->prefix ? r->prefix : PREFIX, prefix) || !match(r->pattern, rq->path, segs, rq->params))
			continue;
		if (strcmp(r->method, rq->method) != 0)
			continue;
		count_route(s, r->method, r->pattern);
		if (r->param && rq->params[0])
			put_param(rq->all, r->param, cJSON_CreateString(rq->params[0]));
		r->handler(s, rq, rs);
		char *err = NULL;
		if (r->mutates && rs->status < 300 && sbx_save(s, &err) != 0) {
			fprintf(stderr, "ciform-sandbox: cannot save state: %s\n", err ? err : "?");
			sbx_error(rs, 500, "state could not be saved");
		}
		free(err);
		return;
	}
	if (strcmp(prefix, PREFIX)) /* grpc-gateway v2's routing error: no such pattern */
		return sbx_fail_gw(rs, 5, "Not Found");
	/* semaphoreio/semaphore public-api/v1alpha/lib/pipelines_api/router.ex match _ */
	sbx_fail_plain(rs, 404, "oops");
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0)
		;
}

static void parse_and_dispatch(sbx *s, struct MHD_Connection *conn, const char *url,
			       const char *method, upload *up, sbx_resp *rs)
{
	const char *prefix = api_prefix(url);
	sbx_req rq = {.method = method, .path = url + strlen(prefix), .conn = conn,
		      .all = cJSON_CreateObject()};
	const char *ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
	bool json = is_json_type(ct), form = content_type_is(ct, "application/x-www-form-urlencoded");
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, add_query, rq.all);
	if ((json || form) && up->too_large) {
		/* Plug.Parsers.RequestTooLargeError (413), answered by handle_errors */
		sbx_fail_plain(rs, 413, "Something went wrong");
	} else if (json && up->len && !(rq.body = cJSON_ParseWithLength(up->data, up->len))) {
		sbx_fail_plain(rs, 400, "Malformed request: malformed request, the JSON body could not be parsed");
	} else {
		if (cJSON_IsObject(rq.body))
			for (cJSON *it = rq.body->child; it; it = it->next)
				put_param(rq.all, it->string, cJSON_Duplicate(it, 1));
		else if (rq.body) /* Plug puts a non-object JSON body under "_json" */
			put_param(rq.all, "_json", cJSON_Duplicate(rq.body, 1));
		if (form && up->len)
			add_form(rq.all, up->data);
		dispatch(s, &rq, rs, prefix);
	}
	cJSON_Delete(rq.body);
	cJSON_Delete(rq.all);
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
	if (sbx_frozen(s)) { /* faults.c: held until the sandbox stops, then 503 */
		pthread_mutex_unlock(&s->lock);
		sbx_freeze(s);
		sbx_error(rs, 503, "Service Unavailable");
		return;
	}
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
	} else if (s->vendor) {
		s->vendor->answer(s, conn, url, method, up->data, up->len, rs); /* its own token check */
	} else if (sbx_code_host(s, conn, url, method, up->data, up->len, rs)) {
		/* h_comments.c answered: a code host's route, its own token check */
	} else if (!auth || strcmp(auth, expected) != 0) {
		sbx_fail_text(rs, 401, "Unauthorized"); /* the API gateway, before any service */
	} else if (!api_prefix(url)) {
		sbx_fail_plain(rs, 404, "oops");
	} else {
		parse_and_dispatch(s, conn, url, method, up, rs);
	}
	sbx_after_write(s, method, rs); /* after the vendor saved: --lose-every */
	pthread_mutex_unlock(&s->lock);
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
		if (up->too_large || up->len + *size > MAX_BODY) {
			up->too_large = true; /* keep reading, keep nothing */
			free(up->data);
			up->data = NULL;
			up->len = 0;
		} else {
			up->data = realloc(up->data, up->len + *size + 1);
			memcpy(up->data + up->len, data, *size);
			up->len += *size;
			up->data[up->len] = '\0';
		}
		*size = 0;
		return MHD_YES;
	}
	sbx *s = cls;
	sbx_record(s, conn, url, method, up->data);
	int bad = s->fault ? sbx_misbehave(s->fault, conn, url, method) : -1;
	if (bad >= 0)
		return (enum MHD_Result)bad;
	sbx_resp rs = {.status = 200, .has_more = -1};
	handle(cls, conn, url, method, up, &rs);
	char *text = rs.text ? rs.text : rs.body ? cJSON_PrintUnformatted(rs.body) : strdup("{}");
	cJSON_Delete(rs.body);
	struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	if (rs.content_type)
		MHD_add_response_header(resp, "Content-Type", rs.content_type);
	if (rs.page > 0) {
		char v[16];
		snprintf(v, sizeof(v), "%d", rs.page);
		MHD_add_response_header(resp, "x-page", v);
	}
	if (rs.has_more >= 0)
		MHD_add_response_header(resp, "x-has-more", rs.has_more ? "true" : "false");
	if (rs.retry_after > 0) {
		char v[16];
		snprintf(v, sizeof(v), "%d", rs.retry_after);
		MHD_add_response_header(resp, "Retry-After", v);
	}
	for (char *save = NULL, *h = rs.headers ? strtok_r(rs.headers, "\n", &save) : NULL; h;
	     h = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(h, ':');
		if (colon) {
			*colon = '\0';
			MHD_add_response_header(resp, h, colon + 1 + strspn(colon + 1, " "));
		}
	}
	free(rs.headers);
	enum MHD_Result r = MHD_queue_response(conn, (unsigned int)rs.status, resp);
	MHD_destroy_response(resp);
	return r;
}

/* Counts the TCP connections clients open, so tests can see them reused. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	(void)conn;
	(void)socket_context;
	sbx *s = cls;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		pthread_mutex_lock(&s->lock);
		s->connections++;
		pthread_mutex_unlock(&s->lock);
	}
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
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
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
