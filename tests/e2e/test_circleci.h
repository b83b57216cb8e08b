/*
 * What the CircleCI e2e tests share: a sandbox started with --api circleci
 * and --record, ciform run with CIRCLECI_HOST and CIRCLECI_TOKEN, the
 * recorded requests as "METHOD PATH BODY" lines, and validate's problems.
 */
#ifndef TEST_CIRCLECI_H
#define TEST_CIRCLECI_H

#include "tests/e2e/scene.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ORG_ID "aaaaaaaa-0000-4000-8000-000000000001"
#define WEB_ID "bbbbbbbb-0000-4000-8000-000000000001"

static char host_env[200];
static const char *cci_env[] = {host_env, "CIRCLECI_TOKEN=" TEST_TOKEN, "PROD_SECRET=s3cr3t-value", NULL};

static inline void cci_up(e2e *e, const char *seed, const char *const *more)
{
	const char *args[8] = {"--api", "circleci", "--record", "requests.jsonl"};
	for (size_t i = 0; more && more[i] && i < 3; i++)
		args[4 + i] = more[i];
	e2e_up(e, seed, args, NULL);
	snprintf(host_env, sizeof(host_env), "CIRCLECI_HOST=%s", e->sb.url);
}

static inline fx_result run(const char *const *args)
{
	return fx_ciform(args, cci_env, NULL);
}

/* The requests with this method whose path starts with prefix, "METHOD PATH BODY" per line. */
static inline char *requests(const char *method, const char *prefix)
{
	FILE *f = fopen("requests.jsonl", "r");
	assert_non_null(f);
	char line[1 << 16];
	char *out = cf_xstrdup("");
	while (fgets(line, sizeof(line), f)) {
		cJSON *r = cJSON_Parse(line);
		const char *m = cJSON_GetStringValue(cJSON_GetObjectItem(r, "method"));
		const char *p = cJSON_GetStringValue(cJSON_GetObjectItem(r, "path"));
		if (m && p && !strcmp(m, method) && !strncmp(p, prefix, strlen(prefix))) {
			char *b = cJSON_PrintUnformatted(cJSON_GetObjectItem(r, "body"));
			char *next = cf_xasprintf("%s%s %s %s\n", out, m, p, b);
			free(out);
			free(b);
			out = next;
		}
		cJSON_Delete(r);
	}
	fclose(f);
	return out;
}

/* Fails with the text when needle is not in it. */
static inline void expect_in(const char *text, const char *needle)
{
	if (!fx_contains(text, needle))
		fail_msg("wanted\n%s\nin:\n%s", needle, text);
}

static inline void assert_problem(const char *yaml, const char *want)
{
	fx_enter_tmpdir();
	fx_write("c.yaml", yaml);
	fx_result r = fx_ciform(ARGS("validate", "c.yaml"), NULL, NULL);
	if (!fx_contains(r.err, want))
		fail_msg("wanted %s in: %s", want, r.err);
	assert_int_equal(r.rc, 1);
	fx_result_free(&r);
	fx_leave_tmpdir();
}

#endif
