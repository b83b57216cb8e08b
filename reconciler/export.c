/*
 * export: writing what a provider exported (export.h).
 */
#include "reconciler/export.h"
#include "reconciler/fileio.h"
#include "reconciler/source.h"
#include "reconciler/yamlout.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

bool cf_export_wants(const cf_export_scope *scope, const char *kind)
{
	if (scope->all)
		return true;
	for (const char *const *k = scope->kinds; k && *k; k++)
		if (!strcmp(*k, kind))
			return true;
	return false;
}

void cf_export_add(cf_export *e, const char *folder, const char *file, cJSON *doc)
{
	e->docs = cf_xrealloc(e->docs, (e->count + 1) * sizeof(*e->docs));
	e->docs[e->count++] = (cf_export_doc){cf_xstrdup(folder), cf_xstrdup(file), doc};
}

void cf_export_clear(cf_export *e)
{
	for (size_t i = 0; i < e->count; i++) {
		free(e->docs[i].folder);
		free(e->docs[i].file);
		cJSON_Delete(e->docs[i].doc);
	}
	free(e->docs);
	memset(e, 0, sizeof(*e));
}

/* ---- writing ---- */

static char *doc_path(const char *dir, const cf_export_doc *d)
{
	return cf_xasprintf("%s/%s/%s", dir, d->folder, d->file);
}

/* Every file that would be replaced is found before anything is written, so
 * a refused export leaves the directory as it was. */
static int refuse_existing(const cf_export *e, const char *dir, cf_error *err)
{
	size_t found = 0;
	char *first = NULL;
	for (size_t i = 0; i < e->count; i++) {
		char *path = doc_path(dir, &e->docs[i]);
		struct stat st;
		if (lstat(path, &st) == 0 && found++ == 0)
			first = path;
		else
			free(path);
	}
	int rc = CF_OK;
	if (found > 1)
		rc = cf_error_set(err, CF_EIO, "%s already exists (and %zu more files): export never overwrites "
				  "a file (--force does)", first, found - 1);
	else if (found)
		rc = cf_error_set(err, CF_EIO, "%s already exists: export never overwrites a file (--force does)",
				  first);
	free(first);
	return rc;
}

int cf_export_write(char **stream, const cf_export *e, const char *dir, bool force, cf_error *err)
{
	*stream = NULL;
	if (!dir) {
		cJSON *docs = cJSON_CreateArray();
		for (size_t i = 0; i < e->count; i++)
			cJSON_AddItemReferenceToArray(docs, e->docs[i].doc);
		int rc = cf_yaml_emit(stream, docs, err);
		cJSON_Delete(docs);
		return rc;
	}
	int rc = force ? CF_OK : refuse_existing(e, dir, err);
	for (size_t i = 0; i < e->count && rc == CF_OK; i++) {
		cJSON *one = cJSON_CreateArray();
		cJSON_AddItemReferenceToArray(one, e->docs[i].doc);
		char *text = NULL;
		char *folder = cf_xasprintf("%s/%s", dir, e->docs[i].folder);
		rc = cf_yaml_emit(&text, one, err);
		if (rc == CF_OK)
			rc = cf_mkdirs(folder, 0755, err);
		if (rc == CF_OK)
			{
			char *path = doc_path(dir, &e->docs[i]);
			rc = cf_file_write_atomic(path, text, strlen(text), force ? 0 : CF_WRITE_NO_REPLACE, err);
			if (rc == CF_EEXIST)
				rc = cf_error_set(err, CF_EIO, "%s already exists: export never overwrites a file "
						  "(--force does)", path);
			free(path);
		}
		cJSON_Delete(one);
		free(folder);
		free(text);
	}
	return rc;
}
