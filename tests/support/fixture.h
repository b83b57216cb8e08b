/*
 * fixture: test helpers. A fresh temporary directory per test to write specs
 * into, the loader run over it, and the real binary run as a user would.
 */
#ifndef CF_TEST_FIXTURE_H
#define CF_TEST_FIXTURE_H

#include <stddef.h>
#include "reconciler/manifest.h"

/* Creates a fresh temporary directory and makes it the working directory. */
const char *fx_enter_tmpdir(void);
/* Removes the directory made by fx_enter_tmpdir and goes back. */
void fx_leave_tmpdir(void);
/* Writes content to rel (creating parent directories), under the cwd. */
void fx_write(const char *rel, const char *content);
void fx_write_bytes(const char *rel, const void *data, size_t len);

/* Loads "." and returns the problems as text ("" when valid); caller frees.
 * When out is not NULL, the loaded set is returned there (NULL if invalid). */
char *fx_load(cf_resource_set **out);
/* Writes yaml to t.yaml in a fresh directory, loads it, and returns the
 * problems text; the directory is left again before returning. */
char *fx_problems(const char *yaml);

/* Runs argv (argv[0] is a path) with extra environment entries "K=V" (or
 * "K" alone to unset K), in dir (NULL: the cwd); returns the exit status. */
int fx_run(const char *const *argv, const char *const *env, const char *dir,
	   char **out, char **err);

/* The real ciform binary, run with args (NULL-ended) and env additions. */
typedef struct fx_result {
	int rc;
	char *out, *err;
} fx_result;
fx_result fx_ciform(const char *const *args, const char *const *env, const char *dir);
void fx_result_free(fx_result *r);

/* Starts argv in the background, stdout and stderr to log; returns its pid. */
int fx_spawn(const char *const *argv, const char *const *env, const char *log);
/* Runs a shell script (sh -c), failing the test when it fails. */
void fx_sh(const char *script);

/* True when needle occurs in haystack. */
int fx_contains(const char *haystack, const char *needle);
/* How many times needle occurs in haystack (NULL: none). */
size_t fx_count(const char *haystack, const char *needle);

#endif
