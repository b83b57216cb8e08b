/*
 * locs: where each value of a manifest stood (file line and column), by its
 * path ("spec.env_vars[1].value"), so problems found after loading point at
 * the value. One flat buffer per manifest: a plan of 30,000 resources keeps
 * hundreds of thousands of these, and a JSON object per value cost more than
 * the resource itself.
 */
#ifndef CF_LOCS_H
#define CF_LOCS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct cf_locs cf_locs;

cf_locs *cf_locs_new(void);
void cf_locs_free(cf_locs *l);
/* Records path's position; paths are unique (the loader refuses duplicate keys). */
void cf_locs_add(cf_locs *l, const char *path, int line, int column);
/* True when path was recorded, with its position. */
bool cf_locs_find(const cf_locs *l, const char *path, int *line, int *column);

#endif
