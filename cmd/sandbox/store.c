/*
 * store: the sandbox's organisation, loaded from a seed or state file,
 * filled in with the defaults the API applies, and saved atomically (a
 * temporary file renamed over the old one) so a kill never leaves half a file.
 *
 * Seed format (a JSON object; every key optional; the state file is the same
 * document after normalisation, so it loads as a seed too):
 *   "org_id": UUID                       default: random
 *   "advanced_deployment_targets": bool  default true; false: any subject_rules
 *                                        other than [{type: ANY}] is 403
 *   "projects_page_size": N              default 500, projecthub-rest-api's
 *                                        PROJECTS_PAGE_SIZE
 *   "projects": [{"name", "id": UUID, "description",
 *                 "member": bool,        member false (default true): the caller has
 *                                        no role in it: it takes its slot in a
 *                                        GET /projects page without being shown,
 *                                        GET /projects/:name is 401, and targets and
 *                                        retention of it are 401 "Permission denied"
 *                 "visibility", "custom_permissions", "debug_permissions",
 *                 "attach_permissions", "repository": {url, name, owner,
 *                 pipeline_file, run_on, forked_pull_requests, status,
 *                 whitelist, integration_type},
 *                 "workflow_branches": [branch name]}]
 *                                        as GET /projects/:name shows them; a gap
 *                                        shows a GitHub project's defaults (h_projects.c);
 *                                        workflow_branches: the branches (by name) with
 *                                        at least one workflow run, for the hook check
 *                                        of POST /tasks (see scheduler_hook)
 *   "roles": [{"name", "id": UUID, "scope": "org_scope"|"project_scope",
 *              "description", "permissions": [string], "readonly": bool}]
 *                                        default: Owner, Admin, Member (org) and
 *                                        Admin, Contributor, Reader (project)
 *   "users": [{"id": UUID, "git_login": string (may be absent),
 *              "projects": [project name or id]}]
 *                                        who is a member of which project: USER
 *                                        subject rules must name a member (by id,
 *                                        or by git_login), and answers add
 *                                        git_login to a member's rule
 *   "agent_types": [{"name", "assignment_origin", "release_after",
 *                    "aws": {"account_id", "role_name_patterns"},
 *                    "agents": [{"name", "busy": bool}],
 *                    "create_time", "update_time": unix seconds}]
 *   "deployment_targets": [{"id", "project": name | "project_id": UUID, "name",
 *                    "description", "url", "bookmark_parameter1..3",
 *                    "subject_rules": [{type, subject_id, git_login}] (a USER rule
 *                    with only git_login is resolved through "users"),
 *                    "object_rules", "env_vars": [{name, value}],
 *                    "files": [{path, content}], "active": bool,
 *                    "state": "USABLE"|"UNUSABLE", "state_message",
 *                    "secret": bool (default true: every target the API creates
 *                    has a secret record, so its delete goes through SYNCING),
 *                    "unique_token": UUID}]
 *   "retention_policies": [{"project" | "project_id",
 *                    "project_level_retention_policies": [{selector, age}],
 *                    "workflow_level_...", "job_level_..."}]  age: "N unit" or seconds
 *   "caller_id": UUID                    the token's user (a notification's creator_id);
 *                                        default: made up at the first write
 *   "notifications": [{"id", "name", "creator_id", "create_time", "update_time": unix
 *                    seconds, "spec": {"rules": [...]} as the API takes it}]
 *   "dashboards": [{"id", "name", "title" (default: from the name), "create_time",
 *                    "update_time", "widgets": [{name, type, filters: {}}]}]
 *   "tasks": [{"id", "project" | "project_id", "name", "description", "reference"
 *                    (a full ref) | "branch", "at", "pipeline_file", "recurring",
 *                    "paused", "parameters": [{name, required, ...}], "requester_id"}]
 *                                        schedules; the sandbox adds project_name,
 *                                        suspended, pause_toggled_*, timestamps
 *   "comments": [...]  pull/merge request comments for `ciform comment`, as
 *                    cmd/sandbox/h_comments.c describes them
 *   "secrets": [{"id", "name", "env_vars": [{name, value}], "files": [{path, content}],
 *                    "all_projects": bool, "project_ids": [UUID], "job_debug",
 *                    "job_attach": 0 (yes) | 2 (no), "create_time", "update_time",
 *                    "checkout_at": unix seconds}]
 *                                        organisation secrets (/api/v1beta); an absent
 *                                        policy field is secrethub's nil (h_secrets.c)
 *   "project_secrets": [{"id", "project" | "project_id", "name", "env_vars", "files",
 *                    "create_time", "update_time", "checkout_at"}]   (/api/v1)
 *   "secrets_exposed_content": bool      default false: secret values answered as ""
 *                                        and PATCH refused (org feature)
 *   "secrets_access_policy": bool        default false: org_config dropped, answered null
 *   "project_level_secrets": bool        default true: false refuses /api/v1 secrets
 *   "secrets_manage": bool               default true; false: the caller lacks
 *                                        organization.secrets.manage
 *   "secrets_policy_manage": bool        default true; false: lacks
 *                                        organization.secrets_policy_settings.manage
 *                                        (org_config dropped)
 *   "just_run": bool                     default true (org feature); false: GET
 *                                        /projects/:name answers a project's tasks as
 *                                        "schedulers" and "tasks" is []
 *   "scheduler_hook": bool               default true (org feature); when it and
 *                                        just_run are both false, POST /tasks of a
 *                                        recurring task is 400 unless its reference
 *                                        name is in the project's workflow_branches
 * Keys the sandbox adds to its state: a target's "sync" (a pending secret
 * change: op, env_vars, files, until_ms) and "result".
 */
#include "cmd/sandbox/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

static const char *const lists[] = {"projects", "roles", "users", "agent_types", "deployment_targets",
				    "retention_policies", "notifications", "dashboards", "tasks", "secrets",
				    "project_secrets", NULL};

const char *sbx_str(const cJSON *obj, const char *key)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, key));
	return v ? v : "";
}

double sbx_num(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

cJSON *sbx_list(sbx *s, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(s->state, name);
}

cJSON *sbx_find(cJSON *array, const char *key, const char *value)
{
	cJSON *it;
	cJSON_ArrayForEach(it, array)
		if (strcmp(sbx_str(it, key), value) == 0)
			return it;
	return NULL;
}

void sbx_random_hex(char *out, size_t nbytes)
{
	unsigned char buf[64];
	if (nbytes > sizeof(buf))
		nbytes = sizeof(buf);
	if (RAND_bytes(buf, (int)nbytes) != 1)
		abort();
	for (size_t i = 0; i < nbytes; i++)
		sprintf(out + 2 * i, "%02x", buf[i]);
}

void sbx_uuid(char out[37])
{
	unsigned char b[16];
	if (RAND_bytes(b, sizeof(b)) != 1)
		abort();
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
}

bool sbx_is_uuid(const char *s)
{
	static const int groups[] = {8, 4, 4, 4, 12};
	for (int g = 0; g < 5; g++) {
		for (int i = 0; i < groups[g]; i++, s++)
			if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') || (*s >= 'A' && *s <= 'F')))
				return false;
		if (g < 4 && *s++ != '-')
			return false;
	}
	return *s == '\0';
}

long long sbx_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *sbx_iso_time(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char buf[40];
	size_t n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, sizeof(buf) - n, ".%06ldZ", ts.tv_nsec / 1000);
	return strdup(buf);
}

void sbx_md5_hex(const char *s, size_t len, char out[33])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	EVP_Digest(s, len, md, &n, EVP_md5(), NULL);
	for (unsigned int i = 0; i < 16; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
}

static void reset(sbx_resp *rs, int status, const char *content_type)
{
	rs->status = status;
	cJSON_Delete(rs->body);
	rs->body = NULL;
	free(rs->text);
	rs->text = NULL;
	rs->content_type = content_type;
}

void sbx_error(sbx_resp *rs, int status, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	reset(rs, status, "application/json");
	rs->body = cJSON_CreateObject();
	cJSON_AddStringToObject(rs->body, "message", msg);
}

/* semaphoreio/semaphore public-api/v1alpha/lib/pipelines_api/pipelines/common.ex respond_ (Poison.encode!) */
void sbx_fail(sbx_resp *rs, int status, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	reset(rs, status, NULL);
	rs->body = cJSON_CreateString(msg);
}

/* semaphoreio/semaphore public-api/v1alpha/lib/pipelines_api/util/validate.ex finalize_verification */
void sbx_fail_plain(sbx_resp *rs, int status, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	reset(rs, status, NULL);
	rs->text = strdup(msg);
}

void sbx_fail_text(sbx_resp *rs, int status, const char *msg)
{
	reset(rs, status, "text/plain; charset=utf-8");
	rs->text = strdup(msg);
}

/* semaphoreio/semaphore projecthub-rest-api/lib/projecthub/http_api.ex Poison.encode!(%{message: ...}) */
void sbx_fail_message(sbx_resp *rs, int status, const char *msg)
{
	reset(rs, status, NULL);
	rs->body = cJSON_CreateObject();
	cJSON_AddStringToObject(rs->body, "message", msg);
}

bool sbx_feature(sbx *s, const char *name)
{
	return !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(s->state, name));
}

bool sbx_project_hidden(const cJSON *project)
{
	return cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(project, "member"));
}

static void default_str(cJSON *o, const char *key, const char *value)
{
	if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, key))) {
		cJSON_DeleteItemFromObjectCaseSensitive(o, key);
		cJSON_AddStringToObject(o, key, value);
	}
}

static void default_id(cJSON *o, const char *key)
{
	char id[37];
	sbx_uuid(id);
	default_str(o, key, id);
}

static void default_item(cJSON *o, const char *key, cJSON *value)
{
	if (cJSON_GetObjectItemCaseSensitive(o, key))
		cJSON_Delete(value);
	else
		cJSON_AddItemToObject(o, key, value);
}

/* A seed may name a project instead of giving its id. */
static void resolve_project(sbx *s, cJSON *o)
{
	const char *name = sbx_str(o, "project");
	cJSON *p = *name ? sbx_find(sbx_list(s, "projects"), "name", name) : NULL;
	if (p)
		default_str(o, "project_id", sbx_str(p, "id"));
	cJSON_DeleteItemFromObjectCaseSensitive(o, "project");
}

static void normalize(sbx *s)
{
	default_id(s->state, "org_id");
	for (size_t i = 0; lists[i]; i++)
		default_item(s->state, lists[i], cJSON_CreateArray());
	cJSON *it;
	cJSON_ArrayForEach(it, sbx_list(s, "projects"))
		default_id(it, "id");
	if (cJSON_GetArraySize(sbx_list(s, "roles")) == 0) {
		/* the roles a new organisation gets (project-scope Admin too: the
		 * upstream router tests name it as "admin") */
		static const char *const roles[][2] = {{"Owner", "org_scope"}, {"Admin", "org_scope"},
						       {"Member", "org_scope"}, {"Admin", "project_scope"},
						       {"Contributor", "project_scope"}, {"Reader", "project_scope"}};
		for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
			cJSON *r = cJSON_CreateObject();
			cJSON_AddStringToObject(r, "name", roles[i][0]);
			cJSON_AddStringToObject(r, "scope", roles[i][1]);
			cJSON_AddItemToArray(sbx_list(s, "roles"), r);
		}
	}
	cJSON_ArrayForEach(it, sbx_list(s, "roles"))
		default_id(it, "id");
	cJSON_ArrayForEach(it, sbx_list(s, "users"))
		default_id(it, "id");
	cJSON_ArrayForEach(it, sbx_list(s, "agent_types"))
		sbx_normalize_agent_type(it);
	cJSON_ArrayForEach(it, sbx_list(s, "deployment_targets")) {
		resolve_project(s, it);
		sbx_normalize_target(s, it);
	}
	cJSON_ArrayForEach(it, sbx_list(s, "notifications"))
		sbx_normalize_notification(s, it);
	cJSON_ArrayForEach(it, sbx_list(s, "dashboards"))
		sbx_normalize_dashboard(it);
	cJSON_ArrayForEach(it, sbx_list(s, "tasks")) {
		resolve_project(s, it);
		sbx_normalize_task(s, it);
	}
	cJSON_ArrayForEach(it, sbx_list(s, "secrets"))
		sbx_normalize_secret(it);
	cJSON_ArrayForEach(it, sbx_list(s, "project_secrets")) {
		resolve_project(s, it);
		sbx_normalize_project_secret(it);
	}
	cJSON_ArrayForEach(it, sbx_list(s, "retention_policies")) {
		resolve_project(s, it);
		char err[128];
		sbx_normalize_policy(it, err, sizeof(err));
	}
}

static char *read_all(const char *path, char **err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		if (asprintf(err, "%s: %s", path, strerror(errno)) < 0)
			*err = NULL;
		return NULL;
	}
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap);
	for (size_t n; (n = fread(buf + len, 1, cap - len - 1, f)) > 0;) {
		len += n;
		if (len + 1 == cap)
			buf = realloc(buf, cap *= 2);
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
}

int sbx_load(sbx *s, const char *seed_file, char **err)
{
	const char *from = NULL;
	struct stat st;
	if (s->state_file && stat(s->state_file, &st) == 0)
		from = s->state_file; /* a restart continues where the last run stopped */
	else if (seed_file)
		from = seed_file;
	if (from) {
		char *text = read_all(from, err);
		if (!text)
			return -1;
		s->state = cJSON_Parse(text);
		free(text);
		if (!cJSON_IsObject(s->state)) {
			cJSON_Delete(s->state);
			s->state = NULL;
			if (asprintf(err, "%s: not a JSON object", from) < 0)
				*err = NULL;
			return -1;
		}
	} else {
		s->state = cJSON_CreateObject();
	}
	normalize(s);
	return s->state_file ? sbx_save(s, err) : 0;
}

int sbx_save(sbx *s, char **err)
{
	if (!s->state_file)
		return 0;
	char *text = cJSON_Print(s->state);
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", s->state_file, (int)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	size_t len = strlen(text), off = 0;
	int rc = fd < 0 ? -1 : 0;
	while (rc == 0 && off < len) {
		ssize_t n = write(fd, text + off, len - off);
		if (n < 0 && errno != EINTR)
			rc = -1;
		else if (n > 0)
			off += (size_t)n;
	}
	if (rc == 0 && fsync(fd) != 0)
		rc = -1;
	if (fd >= 0)
		close(fd);
	if (rc == 0 && rename(tmp, s->state_file) != 0)
		rc = -1;
	if (rc != 0) {
		if (asprintf(err, "%s: %s", s->state_file, strerror(errno)) < 0)
			*err = NULL;
		unlink(tmp);
	}
	free(text);
	return rc;
}
