/*
 * h_notifications: /api/v1alpha/notifications as public-api-gateway and the
 * notifications service answer it (semaphoreio/semaphore
 * notifications/lib/notifications/api/public_api/{create,get,list,update,delete}.ex,
 * util/validator.ex,
 * models/notification.ex, util/list.ex; public-api-gateway/main.go and
 * api/notifications.v1alpha/notifications.v1alpha.pb.gw.go).
 *
 * The gateway speaks protojson with proto names, every field emitted, int64
 * as strings, enums as names and unknown keys dropped; errors are
 * {"code", "message", "details"}. A notification is stored with its spec in
 * the answer's shape; nothing in it is masked. The gateway's own ways
 * (errors, page sizes, page tokens) are in gateway.c.
 */
#include "cmd/sandbox/sandbox.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/evp.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/* ---- protojson decoding of a Notification (DiscardUnknown) ---- */

typedef struct dec {
	char err[256];
} dec;

static bool bad(dec *d, const char *what, const char *field)
{
	if (!*d->err)
		snprintf(d->err, sizeof(d->err), "proto: invalid value for %s field %s", what, field);
	return false;
}

static const cJSON *field(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNull(v) ? NULL : v;
}

static bool dec_string(dec *d, const cJSON *in, const char *key, cJSON *out)
{
	const cJSON *v = field(in, key);
	if (v && !cJSON_IsString(v))
		return bad(d, "string", key);
	cJSON_AddStringToObject(out, key, v ? v->valuestring : "");
	return true;
}

static bool dec_strings(dec *d, const cJSON *in, const char *key, cJSON *out)
{
	const cJSON *v = field(in, key), *it;
	cJSON *arr = cJSON_AddArrayToObject(out, key);
	if (v && !cJSON_IsArray(v))
		return bad(d, "repeated string", key);
	cJSON_ArrayForEach(it, v) {
		if (!cJSON_IsString(it))
			return bad(d, "string", key);
		cJSON_AddItemToArray(arr, cJSON_CreateString(it->valuestring));
	}
	return true;
}

static bool dec_int32(dec *d, const cJSON *in, const char *key, cJSON *out)
{
	const cJSON *v = field(in, key);
	double n = 0;
	if (cJSON_IsNumber(v))
		n = v->valuedouble;
	else if (cJSON_IsString(v)) {
		char *end;
		n = strtod(v->valuestring, &end);
		if (*end || !*v->valuestring)
			return bad(d, "int32", key);
	} else if (v)
		return bad(d, "int32", key);
	if (n != (double)(long long)n || n > 2147483647.0 || n < -2147483648.0)
		return bad(d, "int32", key);
	cJSON_AddNumberToObject(out, key, n);
	return true;
}

/* an enum by name or number, answered by name */
static bool dec_enum(dec *d, const cJSON *v, const char *const names[], int count, const char *key, cJSON *arr,
		     cJSON *obj)
{
	const char *name = NULL;
	if (!v)
		name = names[0];
	else if (cJSON_IsString(v)) {
		for (int i = 0; i < count; i++)
			if (!strcmp(v->valuestring, names[i]))
				name = names[i];
	} else if (cJSON_IsNumber(v) && v->valuedouble == (double)(int)v->valuedouble && v->valueint >= 0 &&
		   v->valueint < count) {
		name = names[v->valueint];
	}
	if (!name)
		return bad(d, "enum", key);
	if (arr)
		cJSON_AddItemToArray(arr, cJSON_CreateString(name));
	else
		cJSON_AddStringToObject(obj, key, name);
	return true;
}

static const char *const target_status[] = {"ACTIVE", "INACTIVE"};
static const char *const filter_state[] = {"STARTED", "FINISHED"};

static bool dec_object(dec *d, const cJSON *v, const char *key)
{
	return !v || cJSON_IsObject(v) || bad(d, "message", key);
}

/* notify.slack / email / webhook: NULL when absent (the Elixir side sees nil) */
static cJSON *dec_target(dec *d, const cJSON *notify, const char *kind)
{
	const cJSON *in = field(notify, kind);
	if (!in || !dec_object(d, in, kind))
		return NULL;
	cJSON *out = cJSON_CreateObject();
	bool ok;
	if (!strcmp(kind, "slack"))
		ok = dec_string(d, in, "endpoint", out) && dec_strings(d, in, "channels", out) &&
		     dec_string(d, in, "message", out);
	else if (!strcmp(kind, "email"))
		ok = dec_string(d, in, "subject", out) && dec_strings(d, in, "cc", out) &&
		     dec_strings(d, in, "bcc", out) && dec_string(d, in, "content", out);
	else
		ok = dec_string(d, in, "endpoint", out) && dec_int32(d, in, "timeout", out) &&
		     dec_string(d, in, "action", out) && dec_int32(d, in, "retries", out);
	ok = ok && dec_enum(d, field(in, "status"), target_status, 2, "status", NULL, out);
	if (ok && !strcmp(kind, "webhook"))
		ok = dec_string(d, in, "secret", out);
	return out;
}

static const char *const filter_lists[] = {"projects", "branches", "pipelines", "blocks", "results", "tags"};

/* Spec as the service receives it: rules with filter/notify null when absent. */
static cJSON *dec_spec(dec *d, const cJSON *in)
{
	cJSON *spec = cJSON_CreateObject();
	cJSON *rules = cJSON_AddArrayToObject(spec, "rules");
	const cJSON *given = field(in, "rules"), *r;
	if (given && !cJSON_IsArray(given)) {
		bad(d, "repeated message", "rules");
		return spec;
	}
	cJSON_ArrayForEach(r, given) {
		if (!dec_object(d, r, "rules"))
			return spec;
		cJSON *rule = cJSON_CreateObject();
		cJSON_AddItemToArray(rules, rule);
		dec_string(d, r, "name", rule);
		const cJSON *f = field(r, "filter"), *n = field(r, "notify");
		if (!dec_object(d, f, "filter") || !dec_object(d, n, "notify"))
			return spec;
		if (f) {
			cJSON *filter = cJSON_AddObjectToObject(rule, "filter");
			for (size_t i = 0; i < 4; i++)
				dec_strings(d, f, filter_lists[i], filter);
			cJSON *states = cJSON_AddArrayToObject(filter, "states");
			const cJSON *st = field(f, "states"), *it;
			if (st && !cJSON_IsArray(st))
				bad(d, "repeated enum", "states");
			cJSON_ArrayForEach(it, st)
				dec_enum(d, it, filter_state, 2, "states", states, NULL);
			dec_strings(d, f, "results", filter);
			dec_strings(d, f, "tags", filter);
		} else {
			cJSON_AddNullToObject(rule, "filter");
		}
		if (n) {
			cJSON *notify = cJSON_AddObjectToObject(rule, "notify");
			static const char *const kinds[] = {"slack", "email", "webhook"};
			for (size_t i = 0; i < 3; i++) {
				cJSON *t = dec_target(d, n, kinds[i]);
				if (t)
					cJSON_AddItemToObject(notify, kinds[i], t);
				else
					cJSON_AddNullToObject(notify, kinds[i]);
			}
		} else {
			cJSON_AddNullToObject(rule, "notify");
		}
	}
	return spec;
}

/* ---- the service's validation (util/validator.ex) ---- */

/* Regex.compile(source) as validator.ex validate_regex_patterns calls it: Erlang's
 * :re (PCRE) with no options, so no UTF mode; PCRE2 here */
static bool regex_compiles(const char *pattern)
{
	int code;
	PCRE2_SIZE offset;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0, &code, &offset, NULL);
	if (!re)
		return false;
	pcre2_code_free(re);
	return true;
}

/* models/pattern.ex regex?: ~r/^\/.*\/$/ (a "$" before a final newline too), and
 * new: String.slice(term, 1..-2), the term without its first and last character */
static char *regex_body(const char *t)
{
	size_t n = strlen(t);
	size_t end = n && t[n - 1] == '\n' ? n - 1 : n; /* where "$" matched */
	if (end < 2 || t[0] != '/' || t[end - 1] != '/' || memchr(t, '\n', end))
		return NULL;
	return strndup(t + 1, n - 2);
}

static bool is_regex(const char *t)
{
	char *body = regex_body(t);
	bool yes = body != NULL;
	free(body);
	return yes;
}

enum { V_OK, V_BAD, V_CRASH };

static int validate(const cJSON *spec, char *msg, size_t len)
{
	const cJSON *rule;
	/* validate_regex_patterns: every list of every rule (a nil filter raises) */
	char *invalid = NULL;
	size_t count = 0, ilen = 0;
	FILE *mem = open_memstream(&invalid, &ilen);
	cJSON_ArrayForEach(rule, cJSON_GetObjectItem(spec, "rules")) {
		const cJSON *filter = field(rule, "filter");
		if (!filter) {
			fclose(mem);
			free(invalid);
			return V_CRASH;
		}
		for (size_t i = 0; i < 6; i++) {
			const cJSON *p;
			cJSON_ArrayForEach(p, cJSON_GetObjectItem(filter, filter_lists[i])) {
				const char *t = p->valuestring;
				char *inner = regex_body(t);
				if (!inner)
					continue;
				if (!regex_compiles(inner))
					fprintf(mem, "%s%s", count++ ? ", " : "", t);
				free(inner);
			}
		}
	}
	fclose(mem);
	if (count == 1)
		snprintf(msg, len, "Pattern %s is not a valid regex statement", invalid);
	else if (count > 1)
		snprintf(msg, len, "Patterns [%s] are not valid regex statements", invalid);
	free(invalid);
	if (count)
		return V_BAD;
	/* validate_result_patterns: one bad entry is its error; several are joined
	 * with Enum.join, which cannot join error tuples and raises */
	int bad_results = 0;
	cJSON_ArrayForEach(rule, cJSON_GetObjectItem(spec, "rules")) {
		const cJSON *p;
		cJSON_ArrayForEach(p, cJSON_GetObjectItem(field(rule, "filter"), "results")) {
			const char *t = p->valuestring;
			if (is_regex(t) || !strcmp(t, "passed") || !strcmp(t, "failed") || !strcmp(t, "stopped") ||
			    !strcmp(t, "canceled"))
				continue;
			if (bad_results++ == 0)
				snprintf(msg, len,
					 "Value %s is not a valid result entry. Valid values are: passed, failed, canceled, stopped.",
					 t);
		}
	}
	if (bad_results)
		return bad_results == 1 ? V_BAD : V_CRASH;
	/* validate_notification_targets: email counts only with cc, slack and webhook with an endpoint */
	cJSON_ArrayForEach(rule, cJSON_GetObjectItem(spec, "rules")) {
		const cJSON *n = field(rule, "notify");
		if (!n) {
			snprintf(msg, len, "A notification rule must have a notify field.");
			return V_BAD;
		}
		const cJSON *email = field(n, "email"), *slack = field(n, "slack"), *hook = field(n, "webhook");
		if (!(email && cJSON_GetArraySize(cJSON_GetObjectItem(email, "cc")) > 0) &&
		    !(slack && *sbx_str(slack, "endpoint")) && !(hook && *sbx_str(hook, "endpoint"))) {
			snprintf(msg, len, "A notification rule must have at least one notification target configured.");
			return V_BAD;
		}
	}
	return V_OK;
}

/* util/transforms.ex decode_spec: a rule stored without email reads back with
 * an empty one (public_nil_to_email); slack and webhook stay null */
static void fill_read_defaults(cJSON *spec)
{
	cJSON *rule;
	cJSON_ArrayForEach(rule, cJSON_GetObjectItem(spec, "rules")) {
		cJSON *n = cJSON_GetObjectItem(rule, "notify");
		if (cJSON_IsObject(n) && !field(n, "email")) {
			cJSON *email = cJSON_CreateObject();
			cJSON_AddStringToObject(email, "subject", "");
			cJSON_AddArrayToObject(email, "cc");
			cJSON_AddArrayToObject(email, "bcc");
			cJSON_AddStringToObject(email, "content", "");
			cJSON_AddStringToObject(email, "status", "ACTIVE");
			cJSON_ReplaceItemInObjectCaseSensitive(n, "email", email); /* keeps proto order */
		}
	}
}

/* A seed's or state's notification, filled in: id, creator, times, spec in the answer's shape. */
void sbx_normalize_notification(sbx *s, cJSON *n)
{
	char id[37];
	if (!cJSON_IsString(cJSON_GetObjectItem(n, "id"))) {
		sbx_uuid(id);
		cJSON_AddStringToObject(n, "id", id);
	}
	if (!cJSON_IsString(cJSON_GetObjectItem(n, "name")))
		cJSON_AddStringToObject(n, "name", "");
	if (!cJSON_IsString(cJSON_GetObjectItem(n, "creator_id"))) {
		const char *caller = sbx_str(s->state, "caller_id");
		cJSON_AddStringToObject(n, "creator_id", caller);
	}
	if (!cJSON_IsNumber(cJSON_GetObjectItem(n, "create_time")))
		cJSON_AddNumberToObject(n, "create_time", (double)time(NULL));
	if (!cJSON_IsNumber(cJSON_GetObjectItem(n, "update_time")))
		cJSON_AddNumberToObject(n, "update_time", sbx_num(n, "create_time"));
	dec d = {{0}};
	cJSON *spec = dec_spec(&d, cJSON_GetObjectItem(n, "spec"));
	fill_read_defaults(spec);
	cJSON_DeleteItemFromObjectCaseSensitive(n, "spec");
	cJSON_AddItemToObject(n, "spec", spec);
}

/* The caller's user id (seed "caller_id"), made up once when the seed has none. */
static const char *caller_id(sbx *s)
{
	if (!*sbx_str(s->state, "caller_id")) {
		char id[37];
		sbx_uuid(id);
		cJSON_DeleteItemFromObjectCaseSensitive(s->state, "caller_id");
		cJSON_AddStringToObject(s->state, "caller_id", id);
	}
	return sbx_str(s->state, "caller_id");
}

/* public_api/serialization.ex serialize: status is always an empty Status */
static cJSON *notification_json(const cJSON *n)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *m = cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(m, "name", sbx_str(n, "name"));
	cJSON_AddStringToObject(m, "id", sbx_str(n, "id"));
	sbx_gw_add_int64(m, "create_time", sbx_num(n, "create_time"));
	sbx_gw_add_int64(m, "update_time", sbx_num(n, "update_time"));
	cJSON_AddStringToObject(m, "creator_id", sbx_str(n, "creator_id"));
	cJSON_AddItemToObject(o, "spec", cJSON_Duplicate(cJSON_GetObjectItem(n, "spec"), 1));
	cJSON_AddArrayToObject(cJSON_AddObjectToObject(o, "status"), "failures");
	return o;
}

static void answer(sbx_resp *rs, cJSON *body)
{
	rs->content_type = "application/json";
	rs->body = body;
}

/* models/notification.ex find_by_id_or_name: a UUID looks up the id, anything else the name */
static cJSON *find(sbx *s, const char *id_or_name)
{
	return sbx_find(sbx_list(s, "notifications"), sbx_is_uuid(id_or_name) ? "id" : "name", id_or_name);
}

static int by_name_then_id(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
	int c = strcmp(sbx_str(x, "name"), sbx_str(y, "name"));
	return c ? c : strcmp(sbx_str(x, "id"), sbx_str(y, "id"));
}

/* public_api/list.ex and util/list.ex: Paginator over (name, id) ascending */
void h_notifications_list(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	int size = sbx_gw_page_size(rq, rs, 100, 300);
	if (size < 0)
		return;
	cJSON *list = sbx_list(s, "notifications");
	int total = cJSON_GetArraySize(list), i = 0, start = 0;
	const cJSON **rows = calloc((size_t)total + 1, sizeof(*rows));
	const cJSON *it;
	cJSON_ArrayForEach(it, list)
		rows[i++] = it;
	qsort(rows, (size_t)total, sizeof(*rows), by_name_then_id);
	const char *token = sbx_param_str(rq, "page_token");
	if (token && *token) {
		cJSON *keys = sbx_gw_untoken(token);
		const char *kn = keys ? cJSON_GetStringValue(cJSON_GetArrayItem(keys, 0)) : NULL;
		const char *ki = keys ? cJSON_GetStringValue(cJSON_GetArrayItem(keys, 1)) : NULL;
		if (!kn || !ki) {
			cJSON_Delete(keys);
			free(rows);
			return sbx_fail_gw_crash(rs);
		}
		while (start < total) {
			int c = strcmp(sbx_str(rows[start], "name"), kn);
			if (c > 0 || (c == 0 && strcmp(sbx_str(rows[start], "id"), ki) > 0))
				break;
			start++;
		}
		cJSON_Delete(keys);
	}
	cJSON *body = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(body, "notifications");
	int end = start + size < total ? start + size : total;
	for (i = start; i < end; i++)
		cJSON_AddItemToArray(arr, notification_json(rows[i]));
	if (end < total) {
		cJSON *keys = cJSON_CreateArray();
		cJSON_AddItemToArray(keys, cJSON_CreateString(sbx_str(rows[end - 1], "name")));
		cJSON_AddItemToArray(keys, cJSON_CreateString(sbx_str(rows[end - 1], "id")));
		char *next = sbx_gw_token(keys);
		cJSON_Delete(keys);
		cJSON_AddStringToObject(body, "next_page_token", next);
		free(next);
	} else {
		cJSON_AddStringToObject(body, "next_page_token", "");
	}
	free(rows);
	answer(rs, body);
}

/* public_api/get.ex */
void h_notification_get(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	cJSON *n = find(s, rq->params[0]);
	if (!n)
		return sbx_fail_gw(rs, 5, "Notification %s not found", rq->params[0]);
	answer(rs, notification_json(n));
}

/* The body as the gateway decodes it; false with rs filled in on a decode error. */
static bool decode_body(sbx_req *rq, sbx_resp *rs, const cJSON **metadata, cJSON **spec, bool *has_spec)
{
	const cJSON *b = rq->body;
	*metadata = NULL;
	*spec = NULL;
	*has_spec = false;
	if (!b || cJSON_IsNull(b))
		return true;
	if (!cJSON_IsObject(b)) {
		sbx_fail_gw(rs, 3, "proto: syntax error: unexpected token, expected an object");
		return false;
	}
	dec d = {{0}};
	const cJSON *m = field(b, "metadata"), *sp = field(b, "spec");
	if (dec_object(&d, m, "metadata") && m && field(m, "name") && !cJSON_IsString(field(m, "name")))
		bad(&d, "string", "name");
	if (dec_object(&d, sp, "spec") && sp) {
		*spec = dec_spec(&d, sp);
		*has_spec = true;
	}
	if (*d.err) {
		cJSON_Delete(*spec);
		*spec = NULL;
		sbx_fail_gw(rs, 3, "%s", d.err);
		return false;
	}
	*metadata = m;
	return true;
}

/* Validator.validate, then the changeset's name rules (models/notification.ex):
 * a taken name is FAILED_PRECONDITION; a blank or UUID name gets an error
 * parse_error_msg has no clause for, so the service raises (500). */
static bool check(sbx *s, sbx_resp *rs, const cJSON *metadata, cJSON *spec, const char **name, const cJSON *self)
{
	if (!spec) /* notification.spec.rules on nil */
		return sbx_fail_gw_crash(rs), false;
	char msg[1024];
	int v = validate(spec, msg, sizeof(msg));
	if (v == V_CRASH)
		return sbx_fail_gw_crash(rs), false;
	if (v == V_BAD)
		return sbx_fail_gw(rs, 3, "%s", msg), false;
	if (!metadata) /* apiresource.metadata.name on nil */
		return sbx_fail_gw_crash(rs), false;
	*name = sbx_str(metadata, "name");
	if (!**name || sbx_is_uuid(*name))
		return sbx_fail_gw_crash(rs), false;
	cJSON *other = sbx_find(sbx_list(s, "notifications"), "name", *name);
	if (other && other != self)
		return sbx_fail_gw(rs, 9, "name '%s' has already been taken", *name), false;
	return true;
}

static void store_spec(cJSON *n, cJSON *spec)
{
	fill_read_defaults(spec);
	cJSON_DeleteItemFromObjectCaseSensitive(n, "spec");
	cJSON_AddItemToObject(n, "spec", spec);
}

/* public_api/create.ex */
void h_notification_create(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	const cJSON *metadata;
	cJSON *spec;
	bool has_spec;
	const char *name;
	if (!decode_body(rq, rs, &metadata, &spec, &has_spec))
		return;
	if (!metadata) { /* name = notification.metadata.name, before anything else */
		cJSON_Delete(spec);
		return sbx_fail_gw_crash(rs);
	}
	if (!check(s, rs, metadata, spec, &name, NULL)) {
		cJSON_Delete(spec);
		return;
	}
	cJSON *n = cJSON_CreateObject();
	char id[37];
	sbx_uuid(id);
	cJSON_AddStringToObject(n, "id", id);
	cJSON_AddStringToObject(n, "name", name);
	cJSON_AddStringToObject(n, "creator_id", caller_id(s));
	cJSON_AddNumberToObject(n, "create_time", (double)time(NULL));
	cJSON_AddNumberToObject(n, "update_time", (double)time(NULL));
	store_spec(n, spec);
	cJSON_AddItemToArray(sbx_list(s, "notifications"), n);
	answer(rs, notification_json(n));
}

/* public_api/update.ex: validate, find, then replace name, creator and spec
 * (the rules are deleted and created again) */
void h_notification_update(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	const cJSON *metadata;
	cJSON *spec;
	bool has_spec;
	const char *name;
	if (!decode_body(rq, rs, &metadata, &spec, &has_spec))
		return;
	if (!spec) { /* Validator.validate on a nil spec (or a nil notification) raises */
		return sbx_fail_gw_crash(rs);
	}
	char msg[1024];
	int v = validate(spec, msg, sizeof(msg));
	if (v != V_OK) {
		cJSON_Delete(spec);
		if (v == V_CRASH)
			return sbx_fail_gw_crash(rs);
		return sbx_fail_gw(rs, 3, "%s", msg);
	}
	cJSON *n = find(s, rq->params[0]);
	if (!n) {
		cJSON_Delete(spec);
		return sbx_fail_gw(rs, 5, "Notification %s not found", rq->params[0]);
	}
	if (!check(s, rs, metadata, spec, &name, n)) {
		cJSON_Delete(spec);
		return;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(n, "name");
	cJSON_AddStringToObject(n, "name", name);
	cJSON_DeleteItemFromObjectCaseSensitive(n, "creator_id");
	cJSON_AddStringToObject(n, "creator_id", caller_id(s));
	cJSON_DeleteItemFromObjectCaseSensitive(n, "update_time");
	cJSON_AddNumberToObject(n, "update_time", (double)time(NULL));
	store_spec(n, spec);
	answer(rs, notification_json(n));
}

/* public_api/delete.ex: Empty */
void h_notification_delete(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	cJSON *n = find(s, rq->params[0]);
	if (!n)
		return sbx_fail_gw(rs, 5, "Notification %s not found", rq->params[0]);
	cJSON_Delete(cJSON_DetachItemViaPointer(sbx_list(s, "notifications"), n));
	answer(rs, cJSON_CreateObject());
}
