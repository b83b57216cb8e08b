/*
 * source: where spec files come from.
 *
 * The loader never touches the file system directly: it asks a cf_source for
 * the sorted list of manifest files and for the bytes of a file. Today the
 * source is the work tree (the PATH arguments); a git commit's tree is another
 * implementation of the same ops. A source also decides what "inside the
 * tree" means, so `source:` and `valueFrom.file` can never read outside the
 * PATH they were given under.
 */
#ifndef CF_SOURCE_H
#define CF_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include "reconciler/error.h"

typedef struct cf_source cf_source;

typedef struct cf_source_ops {
	/* Reads at most max bytes of path; a longer file is an error. */
	int (*read)(const cf_source *src, const char *path, size_t max,
		    char **buf, size_t *len, cf_error *err);
	/* Optional: a further check that path (already lexically inside the
	 * root) really is inside it. */
	int (*contain)(const cf_source *src, size_t root, const char *path, cf_error *err);
	void (*free)(cf_source *src);
} cf_source_ops;

typedef struct cf_source_file {
	char *path;  /* as shown to the user: the PATH argument joined with the rest */
	size_t root; /* index into roots */
	bool escapes; /* a symbolic link the walk found that leads outside the root: refused when read */
} cf_source_file;

struct cf_source {
	const cf_source_ops *ops;
	char **roots; /* one per PATH: the directory files must stay inside */
	size_t nroots;
	cf_source_file *files; /* sorted within each PATH, PATHs in given order */
	size_t nfiles;
	char *git_commit; /* the commit read (40 hex digits), NULL for the work tree */
	size_t nescaping; /* files with escapes set */
	void *impl;
};

/* Walks the PATH arguments (files, or directories recursively for *.yaml and
 * *.yml, skipping hidden directories such as .git). */
int cf_source_open_fs(cf_source **out, const char *const *paths, size_t npaths,
		      cf_error *err);
void cf_source_free(cf_source *src);

/* Reads a regular file only: a FIFO, a device or a directory is refused at
 * once (never waited on), and so is a manifest the walk found behind a
 * symbolic link that leads outside its PATH. */
int cf_source_read(const cf_source *src, const char *path, size_t max,
		   char **buf, size_t *len, cf_error *err);

/* Resolves rel, written in the manifest at files[file_index], against the
 * manifest's directory; fails when it is absolute or leaves the root. */
int cf_source_resolve(char **out, const cf_source *src, size_t file_index,
		      const char *rel, cf_error *err);

/* mkdir -p: every directory it creates gets mode; one that exists is left
 * as it is (a shared parent such as /tmp keeps its own mode and sticky bit),
 * but must be a directory. */
int cf_mkdirs(const char *dir, unsigned mode, cf_error *err);

/* Internal to source implementations: *.yaml or *.yml; add a file or a root. */
bool cf_source_is_yaml_name(const char *name);
void cf_source_add_file(cf_source *src, const char *path, size_t root);
void cf_source_add_root(cf_source *src, const char *root);

#endif
