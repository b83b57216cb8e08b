/*
 * locs: records of "line column path\0" in one growing buffer, searched in
 * order (only problems and plainly written secrets ever ask).
 */
#include "reconciler/locs.h"
#include "reconciler/error.h"

#include <stdlib.h>
#include <string.h>

struct cf_locs {
	char *buf;
	size_t len, cap;
};

typedef struct rec {
	int line, column;
} rec;

cf_locs *cf_locs_new(void)
{
	return cf_xcalloc(1, sizeof(cf_locs));
}

void cf_locs_free(cf_locs *l)
{
	if (!l)
		return;
	free(l->buf);
	free(l);
}

void cf_locs_add(cf_locs *l, const char *path, int line, int column)
{
	size_t n = strlen(path) + 1, need = sizeof(rec) + n;
	if (l->len + need > l->cap) {
		l->cap = (l->len + need) * 2;
		l->buf = cf_xrealloc(l->buf, l->cap);
	}
	rec r = {.line = line, .column = column};
	memcpy(l->buf + l->len, &r, sizeof(r));
	memcpy(l->buf + l->len + sizeof(r), path, n);
	l->len += need;
}

bool cf_locs_find(const cf_locs *l, const char *path, int *line, int *column)
{
	for (size_t at = 0; l && path && at < l->len;) {
		const char *p = l->buf + at + sizeof(rec);
		size_t n = strlen(p) + 1;
		if (!strcmp(p, path)) {
			rec r;
			memcpy(&r, l->buf + at, sizeof(r));
			*line = r.line;
			*column = r.column;
			return true;
		}
		at += sizeof(rec) + n;
	}
	return false;
}
