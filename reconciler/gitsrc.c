/*
 * gitsrc: cf_source over a commit's tree.
 */
#include "reconciler/gitsrc.h"
#include "reconciler/strmap.h"

#include <git2.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct gitsrc {
	git_repository *repo; /* owned when own_repo */
	bool own_repo;
	git_tree *tree;
	/* path -> the blob's id, as the walk saw it: reading a file then costs
	 * one blob, not a walk down trees that libgit2 does not cache when large
	 * (a folder of 3,000 specs would be inflated again for every file) */
	cf_strmap *blobs;
	git_oid **oids; /* the values of blobs, for freeing */
	size_t noids;
} gitsrc;

static int git_fail(cf_error *err, const char *what)
{
	const git_error *e = git_error_last();
	return cf_error_set(err, CF_EIO, "%s: %s", what, e && e->message ? e->message : "git error");
}

static int git_read(const cf_source *src, const char *path, size_t max, char **buf, size_t *len,
		    cf_error *err)
{
	const gitsrc *g = src->impl;
	*buf = NULL;
	*len = 0;
	const git_oid *walked = g->blobs ? cf_strmap_get(g->blobs, path) : NULL;
	git_tree_entry *e = NULL;
	if (!walked && git_tree_entry_bypath(&e, g->tree, path) != 0)
		return cf_error_set(err, CF_EIO, "%s: no such file in commit %.12s", path, src->git_commit);
	int rc = CF_OK;
	git_blob *blob = NULL;
	if (e && git_tree_entry_filemode(e) == GIT_FILEMODE_LINK)
		rc = cf_error_set(err, CF_EIO, "%s: a symbolic link in the commit (links are not followed)", path);
	else if (e && git_tree_entry_type(e) != GIT_OBJECT_BLOB)
		rc = cf_error_set(err, CF_EIO, "%s: not a regular file", path);
	else if (git_blob_lookup(&blob, g->repo, walked ? walked : git_tree_entry_id(e)) != 0)
		rc = git_fail(err, path);
	else if ((size_t)git_blob_rawsize(blob) > max)
		rc = cf_error_set(err, CF_EIO, "%s: file is too large (%lld bytes; the limit is %zu)", path,
				  (long long)git_blob_rawsize(blob), max);
	if (rc == CF_OK) {
		*len = (size_t)git_blob_rawsize(blob);
		*buf = cf_xmalloc(*len + 1);
		memcpy(*buf, git_blob_rawcontent(blob), *len);
		(*buf)[*len] = '\0';
	}
	git_blob_free(blob);
	git_tree_entry_free(e);
	return rc;
}

static void git_free(cf_source *src)
{
	gitsrc *g = src->impl;
	if (!g)
		return;
	git_tree_free(g->tree);
	for (size_t i = 0; i < g->noids; i++)
		free(g->oids[i]);
	free(g->oids);
	cf_strmap_free(g->blobs);
	if (g->own_repo)
		git_repository_free(g->repo);
	free(g);
	git_libgit2_shutdown();
}

static const cf_source_ops git_ops = {.read = git_read, .contain = NULL, .free = git_free};

typedef struct walk_ctx {
	cf_source *src;
	gitsrc *g;
	const char *prefix; /* "" or "dir/" */
	size_t root;
} walk_ctx;

static int on_entry(const char *dir, const git_tree_entry *e, void *payload)
{
	walk_ctx *w = payload;
	const char *name = git_tree_entry_name(e);
	if (name[0] == '.')
		return 1; /* hidden, as in the work tree: skip it and what it holds */
	if (git_tree_entry_type(e) == GIT_OBJECT_BLOB && cf_source_is_yaml_name(name)) {
		char *p = cf_xasprintf("%s%s%s", w->prefix, dir, name);
		cf_source_add_file(w->src, p, w->root);
		if (git_tree_entry_filemode(e) != GIT_FILEMODE_LINK) { /* a link's read must refuse it */
			gitsrc *g = w->g;
			if (!g->blobs)
				g->blobs = cf_strmap_new();
			git_oid *id = cf_xmalloc(sizeof(*id));
			git_oid_cpy(id, git_tree_entry_id(e));
			g->oids = cf_xrealloc(g->oids, (g->noids + 1) * sizeof(*g->oids));
			g->oids[g->noids++] = id;
			cf_strmap_put(g->blobs, p, id);
		}
		free(p);
	}
	return 0;
}

static int file_cmp(const void *a, const void *b)
{
	return strcmp(((const cf_source_file *)a)->path, ((const cf_source_file *)b)->path);
}

/* Adds the files under rel ("" for the whole tree) as one root. */
static int add_path(cf_source *src, gitsrc *g, const char *rel, cf_error *err)
{
	if (!*rel || !strcmp(rel, ".")) {
		cf_source_add_root(src, ".");
		walk_ctx w = {src, g, "", src->nroots - 1};
		size_t first = src->nfiles;
		int rc = git_tree_walk(g->tree, GIT_TREEWALK_PRE, on_entry, &w);
		if (src->nfiles - first > 1)
			qsort(src->files + first, src->nfiles - first, sizeof(*src->files), file_cmp);
		return rc == 0 ? CF_OK : git_fail(err, "walking the commit");
	}
	git_tree_entry *e = NULL;
	if (git_tree_entry_bypath(&e, g->tree, rel) != 0)
		return cf_error_set(err, CF_EIO, "%s: not in commit %.12s", rel, src->git_commit);
	int rc = CF_OK;
	if (git_tree_entry_type(e) == GIT_OBJECT_TREE) {
		git_tree *sub = NULL;
		cf_source_add_root(src, rel);
		char *prefix = cf_xasprintf("%s/", rel);
		walk_ctx w = {src, g, prefix, src->nroots - 1};
		size_t first = src->nfiles;
		if (git_tree_lookup(&sub, g->repo, git_tree_entry_id(e)) != 0 ||
		    git_tree_walk(sub, GIT_TREEWALK_PRE, on_entry, &w) != 0)
			rc = git_fail(err, rel);
		if (src->nfiles - first > 1)
			qsort(src->files + first, src->nfiles - first, sizeof(*src->files), file_cmp);
		git_tree_free(sub);
		free(prefix);
	} else {
		const char *slash = strrchr(rel, '/');
		char *parent = slash ? cf_xstrndup(rel, (size_t)(slash - rel)) : cf_xstrdup(".");
		cf_source_add_root(src, parent);
		cf_source_add_file(src, rel, src->nroots - 1);
		free(parent);
	}
	git_tree_entry_free(e);
	return rc;
}

static int open_at(cf_source **out, git_repository *repo, bool own, const char *ref,
		   char **rels, size_t n, cf_error *err)
{
	cf_source *src = cf_xcalloc(1, sizeof(*src));
	gitsrc *g = cf_xcalloc(1, sizeof(*g));
	src->ops = &git_ops;
	src->impl = g;
	g->repo = repo;
	g->own_repo = own;
	git_object *obj = NULL;
	git_commit *commit = NULL;
	int rc = CF_OK;
	if (git_revparse_single(&obj, repo, ref) != 0 ||
	    git_object_peel((git_object **)&commit, obj, GIT_OBJECT_COMMIT) != 0)
		rc = cf_error_set(err, CF_EIO, "--git-ref %s: no such commit, branch or tag", ref);
	else if (git_commit_tree(&g->tree, commit) != 0)
		rc = git_fail(err, ref);
	if (rc == CF_OK)
		src->git_commit = cf_xstrdup(git_oid_tostr_s(git_commit_id(commit)));
	for (size_t i = 0; i < n && rc == CF_OK; i++)
		rc = add_path(src, g, rels[i], err);
	git_commit_free(commit);
	git_object_free(obj);
	if (rc != CF_OK) {
		cf_source_free(src);
		return rc;
	}
	*out = src;
	return CF_OK;
}

/* PATH, as given from the current directory, relative to the work tree. */
static int repo_relative(char **out, const char *workdir, const char *path, cf_error *err)
{
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof(cwd)))
		return cf_error_set(err, CF_EIO, "cannot read the current directory");
	char *wd = realpath(workdir, NULL), *cw = realpath(cwd, NULL);
	char *abs = path[0] == '/' ? cf_xstrdup(path) : cf_xasprintf("%s/%s", cw ? cw : cwd, path);
	/* normalise ., .. and // lexically: the PATH need not exist in the work tree */
	char **parts = cf_xcalloc(strlen(abs) + 1, sizeof(char *));
	size_t depth = 0;
	for (char *save = NULL, *c = strtok_r(abs, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (!strcmp(c, ".."))
			depth -= depth > 0;
		else if (strcmp(c, "."))
			parts[depth++] = c;
	}
	char *norm = cf_xstrdup("");
	for (size_t i = 0; i < depth; i++) {
		char *next = cf_xasprintf("%s/%s", norm, parts[i]);
		free(norm);
		norm = next;
	}
	size_t wl = wd ? strlen(wd) : 0;
	int rc = CF_OK;
	if (!wd || strncmp(norm, wd, wl) != 0 || (norm[wl] && norm[wl] != '/'))
		rc = cf_error_set(err, CF_EUSAGE, "%s: not inside the repository %s", path, workdir);
	else
		*out = cf_xstrdup(norm[wl] ? norm + wl + 1 : "");
	free(norm);
	free(parts);
	free(abs);
	free(wd);
	free(cw);
	return rc;
}

int cf_source_open_git(cf_source **out, const char *repo_dir, const char *ref,
		       const char *const *paths, size_t npaths, cf_error *err)
{
	static const char *const dot[] = {"."};
	if (npaths == 0) {
		paths = dot;
		npaths = 1;
	}
	git_libgit2_init();
	git_repository *repo = NULL;
	const char *start = repo_dir ? repo_dir : access(paths[0], F_OK) == 0 ? paths[0] : ".";
	if (git_repository_open_ext(&repo, start, 0, NULL) != 0) {
		git_libgit2_shutdown();
		return cf_error_set(err, CF_EUSAGE, "%s: not in a git repository (--git-ref needs one)", start);
	}
	const char *workdir = git_repository_workdir(repo);
	char **rels = cf_xcalloc(npaths, sizeof(char *));
	int rc = CF_OK;
	for (size_t i = 0; i < npaths && rc == CF_OK; i++) {
		if (repo_dir || !workdir)
			rels[i] = strcmp(paths[i], ".") ? cf_xstrdup(paths[i]) : cf_xstrdup("");
		else
			rc = repo_relative(&rels[i], workdir, paths[i], err);
	}
	if (rc == CF_OK)
		rc = open_at(out, repo, true, ref, rels, npaths, err);
	else {
		git_repository_free(repo);
		git_libgit2_shutdown();
	}
	for (size_t i = 0; i < npaths; i++)
		free(rels[i]);
	free(rels);
	return rc;
}

int cf_source_open_git_commit(cf_source **out, git_repository *repo, const char *commit,
			      const char *const *paths, size_t npaths, cf_error *err)
{
	git_libgit2_init();
	char *empty[] = {""};
	char **rels = npaths ? (char **)paths : empty;
	return open_at(out, repo, false, commit, rels, npaths ? npaths : 1, err);
}
