/*
 * faults: what the kill-and-rerun and lost-answer tests of every vendor
 * share (test_circleci_faults.c, test_buildkite_faults.c,
 * test_sandbox_faults.c): waiting for a sandbox's deterministic kill point
 * (--freeze-after-writes), and two generic duplicate checks, so the tests
 * stay right while other kinds join the example sets:
 *   - in the state file, every array of objects, each object keyed by its
 *     natural key (the first of its name-like fields, within its scope);
 *   - in the --record log, a POST sent twice with the same natural key.
 */
#ifndef CF_TEST_FAULTS_H
#define CF_TEST_FAULTS_H

#include "tests/e2e/scene.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

/* What names an object among its siblings (the first one present), and
 * the fields that scope that name (a queue's key is unique per cluster). */
static const char *const fl_names[] = {"name", "slug", "key", "variable", "label", "description",
				       "nickname", "resource_class", "restriction_value", NULL};
static const char *const fl_scopes[] = {"cluster_id", "pipeline_slug", "owner_id", "project_slug",
					"project_id", "restriction_type", NULL};

/* "scope/.../name", or NULL when the object has no name-like field. */
static inline char *fl_natural_key(const cJSON *o)
{
	const char *name = NULL;
	for (size_t i = 0; fl_names[i] && !name; i++)
		name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, fl_names[i]));
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(o, "metadata");
	if (!name && cJSON_IsObject(meta)) /* Semaphore's {"metadata": {"name"}, "spec"} bodies */
		return fl_natural_key(meta);
	if (!name)
		return NULL;
	char *key = cf_xstrdup("");
	for (size_t i = 0; fl_scopes[i]; i++) {
		const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, fl_scopes[i]));
		char *next = cf_xasprintf("%s%s/", key, v ? v : "");
		free(key);
		key = next;
	}
	char *out = cf_xasprintf("%s%s", key, name);
	free(key);
	return out;
}

/* Appends "where: key" to *dupes for every key an array holds twice, then
 * looks inside every member (nested lists: a context's variables). */
static inline void fl_walk(const cJSON *node, const char *where, char **dupes)
{
	const cJSON *it, *other;
	if (cJSON_IsArray(node)) {
		cJSON_ArrayForEach(it, node) {
			char *k = fl_natural_key(it);
			for (other = it->next; k && other; other = other->next) {
				char *k2 = fl_natural_key(other);
				if (k2 && !strcmp(k, k2)) {
					char *next = cf_xasprintf("%s%s: %s\n", *dupes, where, k);
					free(*dupes);
					*dupes = next;
				}
				free(k2);
			}
			free(k);
		}
	}
	cJSON_ArrayForEach(it, node) {
		char *sub = cf_xasprintf("%s.%s", where, it->string ? it->string : "[]");
		fl_walk(it, sub, dupes);
		free(sub);
	}
}

/* The duplicates under the state file's top-level key ("" when none); caller frees. */
static inline char *fl_state_dupes(const char *state_file, const char *key)
{
	FILE *f = fopen(state_file, "rb");
	assert_non_null(f);
	char *buf = cf_xcalloc(1, 1 << 22);
	size_t n = fread(buf, 1, (1 << 22) - 1, f);
	fclose(f);
	cJSON *state = cJSON_ParseWithLength(buf, n);
	free(buf);
	assert_non_null(state);
	const cJSON *root = key ? cJSON_GetObjectItemCaseSensitive(state, key) : state;
	assert_non_null(root);
	char *dupes = cf_xstrdup("");
	fl_walk(root, key ? key : "", &dupes);
	cJSON_Delete(state);
	return dupes;
}

/* Forgets the creations a DELETE undid: posting a name again after
 * deleting it is a replacement, not a blind resend. A DELETE of .../NAME
 * forgets that name; a DELETE by id (the log cannot tell which item it
 * was) forgets every creation posted to its collection. */
static inline void fl_forget_deleted(cJSON *seen, const char *path)
{
	const char *seg = strrchr(path, '/');
	if (!seg)
		return;
	char *by_name = cf_xasprintf("%s", seg), *collection = cf_xasprintf("POST %.*s?", (int)(seg - path), path);
	bool named = false;
	for (cJSON *it = seen->child; it; it = it->next) {
		size_t n = strlen(it->string), m = strlen(by_name);
		named |= !strncmp(it->string, collection, strlen(collection)) && n >= m &&
			 !strcmp(it->string + n - m, by_name);
	}
	for (cJSON *it = seen->child, *next; it; it = next) {
		next = it->next;
		size_t n = strlen(it->string), m = strlen(by_name);
		bool in = !strncmp(it->string, collection, strlen(collection));
		if (in && (!named || (n >= m && !strcmp(it->string + n - m, by_name))))
			cJSON_DeleteItemFromObjectCaseSensitive(seen, it->string);
	}
	free(by_name);
	free(collection);
}

/* "POST path?query key" for every POST the record log holds twice with the
 * same path, query and body natural key ("" when none). Not blind, and so
 * left out: a resend with the same idempotency token as before (Semaphore's
 * unique_token: the server answers the first creation again), a POST after
 * a DELETE of that name, and POSTs without a natural key (actions such as
 * archive or disable_all, not creations). */
static inline char *fl_repeated_posts(const char *record_file)
{
	FILE *f = fopen(record_file, "r");
	assert_non_null(f);
	cJSON *seen = cJSON_CreateObject(); /* id -> its idempotency token, or "" */
	char *dupes = cf_xstrdup("");
	static char line[1 << 20];
	while (fgets(line, sizeof(line), f)) {
		cJSON *r = cJSON_Parse(line), *body = cJSON_GetObjectItem(r, "body");
		const char *m = cJSON_GetStringValue(cJSON_GetObjectItem(r, "method"));
		const char *p = cJSON_GetStringValue(cJSON_GetObjectItem(r, "path"));
		if (m && p && !strcmp(m, "DELETE"))
			fl_forget_deleted(seen, p);
		char *k = m && p && !strcmp(m, "POST") ? fl_natural_key(body) : NULL;
		if (k) {
			char *q = cJSON_PrintUnformatted(cJSON_GetObjectItem(r, "query"));
			char *id = cf_xasprintf("POST %s?%s %s", p, q ? q : "", k);
			const char *tok = cJSON_GetStringValue(cJSON_GetObjectItem(body, "unique_token"));
			const char *before = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(seen, id));
			if (before && !(tok && *tok && !strcmp(before, tok))) {
				char *next = cf_xasprintf("%s%s\n", dupes, id);
				free(dupes);
				dupes = next;
			} else if (!before) {
				cJSON_AddStringToObject(seen, id, tok ? tok : "");
			}
			free(id);
			free(q);
			free(k);
		}
		cJSON_Delete(r);
	}
	fclose(f);
	cJSON_Delete(seen);
	return dupes;
}

/* A whole file (a seed); caller frees. */
static inline char *fl_read(const char *path)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char *buf = cf_xcalloc(1, 1 << 20);
	size_t n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* A number from the sandbox's GET /_sandbox/stats (-1 when missing). */
static inline int fl_stat(const fx_sandbox *sb, const char *name)
{
	cJSON *st = fx_sandbox_stats(sb);
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(st, name);
	int v = cJSON_IsNumber(n) ? n->valueint : -1;
	cJSON_Delete(st);
	return v;
}

/* Waits (20 s at most) until the sandbox has carried out `writes` writes
 * and holds a request (--freeze-after-writes), or pid has ended on its own
 * (the last write may be the apply's last request); then kills pid with
 * SIGKILL. Returns true when the kill point was reached, false when the
 * apply ended first. */
static inline bool fl_kill_at(const fx_sandbox *sb, int pid, int writes)
{
	for (int i = 0; i < 1000; i++) {
		int status;
		if (waitpid(pid, &status, WNOHANG) == pid)
			return false;
		if (fl_stat(sb, "writes") >= writes && fl_stat(sb, "frozen") >= 1)
			break;
		nanosleep(&(struct timespec){0, 20000000L}, NULL);
	}
	assert_int_equal(fl_stat(sb, "writes"), writes); /* never past the kill point */
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return true;
}

/* The last lines of a command's output (cmocka cuts long messages short). */
static inline const char *fl_tail(const char *out)
{
	size_t n = strlen(out);
	return n > 1200 ? out + n - 1200 : out;
}

typedef fx_result (*fl_runner)(void *scene, const char *const *args);
/* Serves the scene's state again, its answers lost every `every`th write. */
typedef void (*fl_refault)(void *scene, const char *every);

/* True when every "ciform: error:" line of err says a value was lost. */
static inline bool fl_only_lost_values(const char *err)
{
	bool any = false;
	char *copy = cf_xstrdup(err);
	for (char *save = NULL, *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (!strncmp(l, "ciform: error: ", 15)) {
			if (!fx_contains(l, "lost")) {
				free(copy);
				return false;
			}
			any = true;
		}
	free(copy);
	return any;
}

/*
 * Applies under --lose-every `every` (sb serves the scene) until the plan shows no changes, three
 * rounds at most. One run is enough unless a lost answer carried a one-time
 * value (a registration or runner token): nothing can read it back, so that
 * run fails naming it ("... lost"), or its plan replaces it ("... lost"),
 * and the next run recreates it. Any other failure fails the test. Each
 * later round serves the state again losing every (every+round-1)th
 * answer: a fixed period can land on the replacement's POST in every run
 * (the same writes in the same order), a livelock no real server makes.
 */
static inline void fl_converge(fl_runner runner, fl_refault refault, void *scene, const fx_sandbox *sb, int every,
			       const char *const *apply, const char *const *plan)
{
	for (int round = 1;; round++) {
		if (round > 1) {
			char n[16];
			snprintf(n, sizeof(n), "%d", every + round - 1);
			refault(scene, n);
		}
		fx_result a = runner(scene, apply);
		if (round == 1)
			assert_true(fl_stat(sb, "lost") >= 1); /* answers were lost indeed */
		if (a.rc != 0 && (a.rc != 1 || !fl_only_lost_values(a.err)))
			fail_msg("apply %d exited %d:\n%s\n%s", round, a.rc, a.err, fl_tail(a.out));
		fx_result p = runner(scene, plan);
		bool done = p.rc == 0 && fx_contains(p.out, "No changes. Live state matches the specs.\n");
		if (!done && (round == 3 || (a.rc == 0 && !fx_contains(p.out, "lost"))))
			fail_msg("plan %d exited %d, not converged:\n%s\n%s", round, p.rc, p.err, fl_tail(p.out));
		fx_result_free(&a);
		fx_result_free(&p);
		if (done)
			return;
	}
}

/* Fails with the list when it is not empty. */
static inline void fl_expect_none(char *list, const char *what)
{
	if (*list)
		fail_msg("%s:\n%s", what, list);
	free(list);
}

#endif
