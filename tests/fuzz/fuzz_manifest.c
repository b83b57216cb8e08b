/*
 * fuzz_manifest: the loader on arbitrary bytes, as one manifest file held in
 * memory (a cf_source whose only file is the input; files it names do not
 * exist). Whatever the bytes, the loader must return, report, and free.
 */
#include "tests/fuzz/fuzz.h"
#include "reconciler/manifest.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct mem {
	const uint8_t *data;
	size_t size;
} mem;

static int mem_read(const cf_source *src, const char *path, size_t max, char **buf, size_t *len, cf_error *err)
{
	const mem *m = src->impl;
	if (strcmp(path, "fuzz.yaml") != 0)
		return cf_error_set(err, CF_EIO, "%s: no such file", path);
	if (m->size > max)
		return cf_error_set(err, CF_EIO, "%s: file is too large", path);
	*buf = cf_xmalloc(m->size + 1);
	memcpy(*buf, m->data, m->size);
	(*buf)[m->size] = '\0';
	*len = m->size;
	return CF_OK;
}

static const cf_source_ops mem_ops = {.read = mem_read};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mem m = {data, size};
	cf_source *src = cf_xcalloc(1, sizeof(*src));
	src->ops = &mem_ops;
	src->impl = &m;
	cf_source_add_root(src, ".");
	cf_source_add_file(src, "fuzz.yaml", 0);
	cf_diags diags = {0};
	cf_error err = {0};
	cf_resource_set *set = NULL;
	cf_manifest_load(&set, src, &diags, &err);
	cf_resource_set_free(set);
	cf_diags_free(&diags);
	cf_error_clear(&err);
	src->impl = NULL;
	cf_source_free(src);
	return 0;
}
