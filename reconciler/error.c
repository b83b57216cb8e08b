/*
 * error: cf_error, cf_diags and the allocation helpers everyone uses.
 */
#include "reconciler/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *vformat(const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		n = 0;
	char *s = cf_xmalloc((size_t)n + 1);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

int cf_error_set(cf_error *err, int code, const char *fmt, ...)
{
	if (!err)
		return code;
	free(err->message);
	va_list ap;
	va_start(ap, fmt);
	err->message = vformat(fmt, ap);
	va_end(ap);
	err->code = code;
	return code;
}

void cf_error_clear(cf_error *err)
{
	if (!err)
		return;
	free(err->message);
	err->message = NULL;
	err->code = 0;
}

static void diags_addv(cf_diags *d, cf_severity sev, const char *file, int line, int column,
		       const char *fmt, va_list ap)
{
	if (d->count == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 16;
		d->items = cf_xrealloc(d->items, d->cap * sizeof(*d->items));
	}
	cf_diag *g = &d->items[d->count++];
	g->file = cf_xstrdup(file ? file : "");
	g->line = line;
	g->column = column;
	g->severity = sev;
	g->message = vformat(fmt, ap);
}

void cf_diags_add(cf_diags *d, const char *file, int line, int column, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diags_addv(d, CF_SEV_ERROR, file, line, column, fmt, ap);
	va_end(ap);
}

void cf_diags_add_sev(cf_diags *d, cf_severity sev, const char *file, int line, int column,
		      const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diags_addv(d, sev, file, line, column, fmt, ap);
	va_end(ap);
}

size_t cf_diags_count(const cf_diags *d, cf_severity sev)
{
	size_t n = 0;
	for (size_t i = 0; i < d->count; i++)
		n += d->items[i].severity == sev;
	return n;
}

static int diag_cmp(const void *a, const void *b)
{
	const cf_diag *x = a, *y = b;
	int c = strcmp(x->file, y->file);
	if (c)
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->column != y->column)
		return x->column < y->column ? -1 : 1;
	if (x->severity != y->severity)
		return x->severity < y->severity ? -1 : 1;
	return strcmp(x->message, y->message);
}

void cf_diags_sort(cf_diags *d)
{
	if (d->count < 2)
		return;
	qsort(d->items, d->count, sizeof(*d->items), diag_cmp);
	size_t w = 1;
	for (size_t r = 1; r < d->count; r++) {
		if (diag_cmp(&d->items[w - 1], &d->items[r]) == 0) {
			free(d->items[r].file);
			free(d->items[r].message);
		} else {
			d->items[w++] = d->items[r];
		}
	}
	d->count = w;
}

void cf_diags_free(cf_diags *d)
{
	for (size_t i = 0; i < d->count; i++) {
		free(d->items[i].file);
		free(d->items[i].message);
	}
	free(d->items);
	memset(d, 0, sizeof(*d));
}

static void *oom(void)
{
	fputs("ciform: error: out of memory\n", stderr);
	abort();
}

void *cf_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	return p ? p : oom();
}

void *cf_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	return p ? p : oom();
}

void *cf_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	return q ? q : oom();
}

char *cf_xstrdup(const char *s)
{
	char *p = strdup(s);
	return p ? p : oom();
}

char *cf_xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);
	return p ? p : oom();
}

char *cf_xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = vformat(fmt, ap);
	va_end(ap);
	return s;
}
