/*
 * error: how the library reports failure.
 *
 * Two shapes, because users meet two kinds of failure. A cf_error carries one
 * message for an operation that stopped (I/O, HTTP, a refused request); the
 * caller owns it and clears it. A cf_diags collects every problem found in
 * the specs, each with its FILE:LINE:COLUMN, so a run reports all of them,
 * sorted, not just the first. A problem is an error (the specs cannot be
 * used) or a warning (they can, but probably do not say what was meant, or
 * could not be checked completely offline).
 */
#ifndef CF_ERROR_H
#define CF_ERROR_H

#include <stddef.h>

enum {
	CF_OK = 0,
	CF_EINVALID = -1, /* the specs are invalid: see the cf_diags */
	CF_EIO = -2,      /* a file or directory could not be read */
	CF_ENOMEM = -3,
	CF_EUSAGE = -4,   /* the caller asked for something that makes no sense */
	CF_EAPI = -5,     /* the API answered with an error status */
	CF_ENOTFOUND = -6, /* the API answered 404 */
	CF_EAUTH = -7,    /* the API refused the token (401) */
	CF_ENET = -8,     /* no answer: connection refused, timed out, reset */
	CF_ETIMEOUT = -9, /* a wait ran out of time */
	CF_ESTALE = -10,  /* a saved plan no longer matches the specs or the live state */
	CF_EEXIST = -11,  /* a file that must not be replaced exists */
};

typedef struct cf_error {
	int code;
	char *message;
} cf_error;

/* Sets err (if not NULL) to a printf-formatted message; returns code. */
int cf_error_set(cf_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void cf_error_clear(cf_error *err);

typedef enum cf_severity {
	CF_SEV_ERROR = 0, /* zero, so every diagnostic made before severities is an error */
	CF_SEV_WARNING,
} cf_severity;

typedef struct cf_diag {
	char *file;
	int line;   /* 1-based; 0 when the problem has no position */
	int column; /* 1-based */
	char *message;
	cf_severity severity;
} cf_diag;

typedef struct cf_diags {
	cf_diag *items;
	size_t count;
	size_t cap;
} cf_diags;

/* Adds an error. */
void cf_diags_add(cf_diags *d, const char *file, int line, int column,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Adds a problem of the given severity. */
void cf_diags_add_sev(cf_diags *d, cf_severity sev, const char *file, int line, int column,
		      const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* How many of d's problems have severity sev. */
size_t cf_diags_count(const cf_diags *d, cf_severity sev);
/* Sorts by file, line, column, message (errors before warnings at one
 * place) and drops exact repeats. */
void cf_diags_sort(cf_diags *d);
void cf_diags_free(cf_diags *d);

/* Small allocation helpers that abort on out-of-memory: a reconciler that
 * cannot allocate a few bytes has no honest way to go on. */
void *cf_xmalloc(size_t n);
void *cf_xcalloc(size_t n, size_t size);
void *cf_xrealloc(void *p, size_t n);
char *cf_xstrdup(const char *s);
char *cf_xstrndup(const char *s, size_t n);
char *cf_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
