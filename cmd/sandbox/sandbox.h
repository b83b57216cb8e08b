/*
 * ciform-sandbox: a local stand-in for the Semaphore API v1alpha.
 *
 * The organisation is one cJSON document (the same shape as --seed and
 * --state files), guarded by one mutex: requests are few and handlers short,
 * so a lock is simpler than anything finer. Each route is a handler that
 * reads the request and fills in a response; http.c does the HTTP around it.
 */
#ifndef SBX_SANDBOX_H
#define SBX_SANDBOX_H

#include <pthread.h>
#include <stddef.h>
#include <stdbool.h>
#include <cjson/cJSON.h>

struct sbx_vendor;

typedef struct sbx {
	pthread_mutex_t lock;
	/* --api: the vendor whose API this sandbox answers; NULL: Semaphore
	 * (the routes of http.c). vendors.c lists the others. */
	const struct sbx_vendor *vendor;
	cJSON *state;
	const char *state_file; /* NULL: nothing persisted */
	const char *token;
	int latency_ms;
	int fail_every;     /* every Nth request answers 503 */
	int throttle_every; /* every Nth request answers 429 with Retry-After: 1 */
	int sync_ms;        /* how long a target stays SYNCING after its secrets change */
	struct sbx_target_index *target_index; /* target_index.c; NULL until asked for */
	long long settle_due_ms; /* the earliest pending sync ends then (0: look at the next request) */
	const char *fault;  /* faults.c: how API requests misbehave, or NULL */
	/* faults.c: writes the server carried out (a non-GET answered < 300),
	 * every lose_every-th of them answered 503 instead (lost), and past
	 * freeze_after_writes of them every request held unanswered (frozen)
	 * until the sandbox stops (stopping). 0: off. */
	int lose_every;
	int freeze_after_writes;
	unsigned long writes, lost, frozen;
	bool stopping;
	const char *record_file; /* --record: every API request appended as a JSON line */
	unsigned long requests;
	int in_flight, max_in_flight; /* concurrent requests now, and the most seen */
	unsigned long connections;    /* TCP connections clients opened */
	cJSON *route_counts; /* "METHOD /pattern" -> count, for tests and benchmarks */
	cJSON *user_agents;  /* User-Agent -> count */
} sbx;

typedef struct sbx_req {
	const char *method;
	const char *path;      /* after /api/v1alpha (or the route's own prefix) */
	const char *params[2]; /* the :name parts of the route, in order */
	cJSON *body;           /* parsed JSON body (application/json only), or NULL */
	/* Plug's conn.params: query arguments, overridden by the body's keys
	 * (JSON object or urlencoded form), overridden by the path's :names. */
	cJSON *all;
	void *conn;            /* for query arguments */
} sbx_req;

typedef struct sbx_resp {
	int status;
	cJSON *body;  /* owned; NULL for {} */
	char *text;   /* owned; when set, the body as is instead of JSON */
	const char *content_type; /* NULL: no Content-Type header, as Plug's send_resp */
	int has_more; /* -1: no x-has-more header */
	int page;     /* > 0: x-page header (projecthub-rest-api) */
	int retry_after;
	char *headers; /* owned: more headers, "Name: value\n" each (h_comments.c) */
} sbx_resp;

typedef void (*sbx_handler)(sbx *s, sbx_req *rq, sbx_resp *rs);

/* target_index.c: call sbx_targets_changed after adding or removing a target */
typedef struct sbx_target_index sbx_target_index;
void sbx_targets_changed(sbx *s);
cJSON *sbx_target_by_id(sbx *s, const char *id);
cJSON **sbx_targets_of_project(sbx *s, const char *project_id, size_t *n);

/* task_def.c: a task definition's checks; errors gather as ExJsonSchema lists them */
typedef struct sbx_errs {
	char buf[2048];
	size_t len;
	int n;
} sbx_errs;
cJSON *sbx_yaml_to_json(const char *text);
void sbx_check_schedule_header(sbx_errs *e, const cJSON *def);
void sbx_check_schedule_v12(sbx_errs *e, const cJSON *spec);
bool sbx_cron_ok(const char *expr, char *detail, size_t n);

/* faults.c */
bool sbx_fault_known(const char *mode);
/* Answers as --fault says (an MHD_Result), or -1 when the fault leaves this request alone. */
int sbx_misbehave(const char *fault, void *connection, const char *url, const char *method);
void sbx_record(sbx *s, void *connection, const char *url, const char *method, const char *body);
/* Called under s->lock: true when --freeze-after-writes says this request
 * waits; the caller unlocks and calls sbx_freeze, which returns (the
 * request to go unanswered) only once the sandbox stops. */
bool sbx_frozen(sbx *s);
void sbx_freeze(sbx *s);
/* Called under s->lock once the server has answered: counts a carried-out
 * write, and turns every --lose-every-th one's answer into a 503. */
void sbx_after_write(sbx *s, const char *method, sbx_resp *rs);

/* http.c */
int sbx_serve(sbx *s, int port, int *bound_port, void **daemon);
void sbx_stop(void *daemon);

/* store.c: the state document */
int sbx_load(sbx *s, const char *seed_file, char **err);
int sbx_save(sbx *s, char **err);
cJSON *sbx_list(sbx *s, const char *name); /* a top-level array of the state */
cJSON *sbx_find(cJSON *array, const char *key, const char *value);
void sbx_uuid(char out[37]);
void sbx_random_hex(char *out, size_t nbytes);
long long sbx_now_ms(void);
char *sbx_iso_time(void);
void sbx_md5_hex(const char *s, size_t len, char out[33]);
bool sbx_is_uuid(const char *s);
/* The sandbox's own faults (503, 429): {"message": ...} as JSON. */
void sbx_error(sbx_resp *rs, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* public-api's Common.respond: the message as a JSON-encoded string. */
void sbx_fail(sbx_resp *rs, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* public-api's resp(conn, status, msg): the bare text, no Content-Type. */
void sbx_fail_plain(sbx_resp *rs, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* put_resp_content_type("text/plain") |> resp(...) */
void sbx_fail_text(sbx_resp *rs, int status, const char *msg);
/* projecthub-rest-api: {"message": ...} */
void sbx_fail_message(sbx_resp *rs, int status, const char *msg);
const char *sbx_str(const cJSON *obj, const char *key); /* "" when missing */
double sbx_num(const cJSON *obj, const char *key);      /* 0 when missing */
/* A request parameter (see sbx_req.all), or NULL. */
const cJSON *sbx_param(const sbx_req *rq, const char *key);
const char *sbx_param_str(const sbx_req *rq, const char *key); /* NULL unless a string */
bool sbx_feature(sbx *s, const char *name); /* seed flags, default on */
/* A project the seed makes invisible to the caller ("member": false) */
bool sbx_project_hidden(const cJSON *project);
/* public-api's authorize plugs (pa/deployments/authorize.ex and the others):
 * 404 "Not found" when the project is not in the organisation, 401
 * "Permission denied" when the caller is not a member; NULL then. */
cJSON *sbx_authorize_project(sbx *s, const char *project_id, sbx_resp *rs);

/* handlers, one file per kind */
void h_projects_list(sbx *s, sbx_req *rq, sbx_resp *rs);
void h_project_get(sbx *s, sbx_req *rq, sbx_resp *rs);
void h_project_update(sbx *s, sbx_req *rq, sbx_resp *rs);
void h_tasks_list(sbx *s, sbx_req *rq, sbx_resp *rs);
void h_task_apply(sbx *s, sbx_req *rq, sbx_resp *rs);
void h_task_get(sbx *s, sbx_req *rq, sbx_resp *rs);
void h_task_delete(sbx *s, sbx_req *rq, sbx_resp *rs);
void h_roles_list(sbx *s, sbx_req *rq, sbx_resp *rs);
void h_role_get(sbx *s, sbx_req *rq, sbx_resp *rs);
void h_agent_types_list(sbx *s, sbx_req *rq, sbx_resp *rs);
void h_agent_type_get(sbx *s, sbx_req *rq, sbx_resp *rs);
void h_agent_type_create(sbx *s, sbx_req *rq, sbx_resp *rs);
void h_agent_type_update(sbx *s, sbx_req *rq, sbx_resp *rs);
void h_agent_type_delete(sbx *s, sbx_req *rq, sbx_resp *rs);
void h_agent_type_disable_all(sbx *s, sbx_req *rq, sbx_resp *rs);
void h_targets_list(sbx *s, sbx_req *rq, sbx_resp *rs);
void h_target_get(sbx *s, sbx_req *rq, sbx_resp *rs);
void h_target_create(sbx *s, sbx_req *rq, sbx_resp *rs);
void h_target_update(sbx *s, sbx_req *rq, sbx_resp *rs);
void h_target_delete(sbx *s, sbx_req *rq, sbx_resp *rs);
void h_target_activate(sbx *s, sbx_req *rq, sbx_resp *rs);
void h_target_deactivate(sbx *s, sbx_req *rq, sbx_resp *rs);
void h_retention_get(sbx *s, sbx_req *rq, sbx_resp *rs);
void h_retention_set(sbx *s, sbx_req *rq, sbx_resp *rs);
void h_notifications_list(sbx *s, sbx_req *rq, sbx_resp *rs);
void h_notification_get(sbx *s, sbx_req *rq, sbx_resp *rs);
void h_notification_create(sbx *s, sbx_req *rq, sbx_resp *rs);
void h_notification_update(sbx *s, sbx_req *rq, sbx_resp *rs);
void h_notification_delete(sbx *s, sbx_req *rq, sbx_resp *rs);
void h_dashboards_list(sbx *s, sbx_req *rq, sbx_resp *rs);
void h_dashboard_get(sbx *s, sbx_req *rq, sbx_resp *rs);
void h_dashboard_create(sbx *s, sbx_req *rq, sbx_resp *rs);
void h_dashboard_update(sbx *s, sbx_req *rq, sbx_resp *rs);
void h_dashboard_delete(sbx *s, sbx_req *rq, sbx_resp *rs);
void h_secrets_list(sbx *s, sbx_req *rq, sbx_resp *rs);
void h_secret_get(sbx *s, sbx_req *rq, sbx_resp *rs);
void h_secret_create(sbx *s, sbx_req *rq, sbx_resp *rs);
void h_secret_update(sbx *s, sbx_req *rq, sbx_resp *rs);
void h_secret_delete(sbx *s, sbx_req *rq, sbx_resp *rs);
void h_project_secrets_list(sbx *s, sbx_req *rq, sbx_resp *rs);
void h_project_secret_get(sbx *s, sbx_req *rq, sbx_resp *rs);
void h_project_secret_create(sbx *s, sbx_req *rq, sbx_resp *rs);
void h_project_secret_update(sbx *s, sbx_req *rq, sbx_resp *rs);
void h_project_secret_delete(sbx *s, sbx_req *rq, sbx_resp *rs);

/* h_notifications.c: public-api-gateway's side (grpc-gateway v2): errors as
 * {"code", "message", "details"} with the code's HTTP status, an unrescued
 * service exception as UNKNOWN (500), list page_size and opaque page tokens */
bool sbx_gw_has_uuid(const char *s); /* a lowercase UUID anywhere in s (the services' uuid?) */
void sbx_fail_gw(sbx_resp *rs, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void sbx_fail_gw_crash(sbx_resp *rs);
int sbx_gw_page_size(const sbx_req *rq, sbx_resp *rs, int def, int limit);
char *sbx_gw_token(const cJSON *keys);
cJSON *sbx_gw_untoken(const char *token);
void sbx_gw_add_int64(cJSON *o, const char *key, double v);
void sbx_normalize_notification(sbx *s, cJSON *n);
void sbx_normalize_dashboard(cJSON *d);
/* h_secrets.c: a seed's organisation or project secret filled in */
void sbx_normalize_secret(cJSON *x);
void sbx_normalize_project_secret(cJSON *x);

/* h_comments.c: GitHub's and GitLab's comment APIs, outside /api/v1alpha,
 * with their own token headers. False when url is not theirs. */
/* Another vendor's API: answer answers every request (its own token check,
 * routes and errors, each commented with its evidence) once the common
 * faults (--fail-every, --throttle-every, --fault, --latency-ms) are past;
 * its state lives in the same seed/state JSON under its own keys. */
typedef struct sbx_vendor {
	const char *name; /* --api NAME */
	void (*answer)(sbx *s, void *conn, const char *url, const char *method, const char *body, size_t len,
		       sbx_resp *rs);
} sbx_vendor;

/* vendors.c: every vendor besides Semaphore, NULL-terminated. */
extern const sbx_vendor *const sbx_vendors[];
const sbx_vendor *sbx_vendor_named(const char *name);

bool sbx_code_host(sbx *s, void *conn, const char *url, const char *method, const char *data, size_t len,
		   sbx_resp *rs);

/* store.c fills in a seed's objects with these: h_targets.c, h_agent_types.c,
 * h_retention.c (the policy: 0, or -1 with err for what artifacthub refuses) */
void sbx_normalize_target(sbx *s, cJSON *t);
void sbx_normalize_agent_type(cJSON *a);
int sbx_normalize_policy(cJSON *policy, char *err, size_t errlen);

/* target_rules.c: a deployment target's subject and object rules and its secret lists */
bool sbx_subject_rules_shaped(const cJSON *v);
bool sbx_object_rules_shaped(const cJSON *v);
cJSON *sbx_format_subject_rules(sbx *s, const cJSON *given, const char *project_id, sbx_resp *rs);
cJSON *sbx_format_object_rules(const cJSON *given, sbx_resp *rs);
cJSON *sbx_default_subject_rules(void);
cJSON *sbx_default_object_rules(void);
cJSON *sbx_rules_json(sbx *s, const cJSON *rules, const char *project_id);
cJSON *sbx_secret_create(const cJSON *given, const char *key, const char *valkey);
cJSON *sbx_secret_update(const cJSON *given, const cJSON *old, const char *key, const char *valkey);
const char *sbx_secret_problem(const cJSON *env, const cJSON *files);
const cJSON *sbx_member(sbx *s, const char *project_id, const char *id, const char *login);

/* h_projects.c: shared lookups */
cJSON *sbx_project_by_id(sbx *s, const char *id);

/* h_tasks.c: a seed's task filled in; a project's tasks as projecthub shows them;
 * a project PATCH's tasks upserted and the others pruned (0, or -1 with err) */
void sbx_normalize_task(sbx *s, cJSON *t);
cJSON *sbx_project_tasks_json(sbx *s, const char *project_id);
/* The same while feature just_run is off, as projecthub's schedulers (else []). */
cJSON *sbx_project_schedulers_json(sbx *s, const char *project_id);
int sbx_tasks_bulk_upsert(sbx *s, const cJSON *project, const cJSON *tasks, char *err, size_t errn);

#endif
