/*
 * What the Buildkite e2e tests share: a `ciform-sandbox --api buildkite`
 * started per test, ciform run against it with the Buildkite settings in its
 * environment (and no Semaphore ones), the sandbox's --record log read back
 * by method and path, and the ids the seeds use. A file may define
 * BK_EXTRA_ENV (one more NAME=VALUE) or BK_STATE_IN_CWD before including it.
 */
#ifndef CF_TEST_BUILDKITE_H
#define CF_TEST_BUILDKITE_H

#include "tests/e2e/scene.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CL1 "01900000-0000-4000-8000-000000000001"
#define CL2 "01900000-0000-4000-8000-000000000002"
#define Q1 "01910000-0000-4000-8000-000000000001"
#define Q2 "01910000-0000-4000-8000-000000000002"
#define SEED(clusters, rest) "{\"buildkite\": {\"organization\": \"acme\", \"clusters\": [" clusters "]" rest "}}"

typedef struct bk {
	fx_sandbox sb;
	char url_env[200], state_env[600];
	const char *env[8];
} bk;

static inline void bk_up(bk *b, const char *seed, const char *const *args)
{
	memset(b, 0, sizeof(*b));
	fx_enter_tmpdir();
	fx_write("seed.json", seed);
	const char *a[16] = {"--api", "buildkite", "--seed", "seed.json", "--record", "requests.jsonl"};
	size_t n = 6;
	for (size_t i = 0; args && args[i] && n < 15; i++)
		a[n++] = args[i];
	fx_sandbox_start(&b->sb, a);
	snprintf(b->url_env, sizeof(b->url_env), "BUILDKITE_API_URL=%s", b->sb.url);
	b->env[0] = b->url_env;
	b->env[1] = "BUILDKITE_ORGANIZATION_SLUG=acme";
	b->env[2] = "BUILDKITE_API_TOKEN=" TEST_TOKEN;
	b->env[3] = "SEMAPHORE_API_TOKEN";
	b->env[4] = "SEMAPHORE_ORG_URL";
#ifdef BK_STATE_IN_CWD /* registration tokens under ./state, not the user's home */
	char cwd[512];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	snprintf(b->state_env, sizeof(b->state_env), "XDG_STATE_HOME=%s/state", cwd);
	b->env[5] = b->state_env;
#endif
#ifdef BK_EXTRA_ENV /* a variable the file's manifests read */
	b->env[5] = BK_EXTRA_ENV;
#endif
}

static inline void bk_down(bk *b)
{
	fx_sandbox_stop(&b->sb);
	fx_leave_tmpdir();
}

static inline fx_result run(bk *b, const char *const *args)
{
	return fx_ciform(args, b->env, NULL);
}

/* The bodies of every recorded request with this method and path, joined by newlines. */
static char *bodies(const char *method, const char *path)
{
	FILE *f = fopen("requests.jsonl", "r");
	assert_non_null(f);
	char line[1 << 16];
	char *out = cf_xstrdup("");
	while (fgets(line, sizeof(line), f)) {
		cJSON *r = cJSON_Parse(line);
		const char *m = cJSON_GetStringValue(cJSON_GetObjectItem(r, "method"));
		const char *p = cJSON_GetStringValue(cJSON_GetObjectItem(r, "path"));
		if (m && p && !strcmp(m, method) && !strcmp(p, path)) {
			char *t = cJSON_PrintUnformatted(cJSON_GetObjectItem(r, "body"));
			char *joined = cf_xasprintf("%s%s%s", out, *out ? "\n" : "", t);
			free(out);
			free(t);
			out = joined;
		}
		cJSON_Delete(r);
	}
	fclose(f);
	return out;
}

static inline char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char *buf = cf_xcalloc(1, 1 << 20);
	size_t n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static inline void expect_body(const char *method, const char *path, const char *want)
{
	char *got = bodies(method, path);
	assert_string_equal(got, want);
	free(got);
}

static inline void expect(bk *b, const char *const *args, int rc, const char *out_has, const char *err_has)
{
	fx_result r = run(b, args);
	if (out_has && !fx_contains(r.out, out_has))
		fail_msg("wanted %s in: %s", out_has, r.out);
	if (err_has && !fx_contains(r.err, err_has))
		fail_msg("wanted %s in: %s", err_has, r.err);
	if (r.rc != rc)
		fail_msg("exit %d, wanted %d: %s%s", r.rc, rc, r.out, r.err);
	fx_result_free(&r);
}

/* validate of one file p.yaml holding yaml fails (exit 1) with want in stderr. */
static inline void assert_invalid(const char *yaml, const char *want)
{
	fx_enter_tmpdir();
	fx_write("p.yaml", yaml);
	fx_result r = fx_ciform(ARGS("validate", "p.yaml"), NULL, NULL);
	if (!fx_contains(r.err, want))
		fail_msg("wanted %s in: %s", want, r.err);
	assert_int_equal(r.rc, 1);
	fx_result_free(&r);
	fx_leave_tmpdir();
}

#endif
