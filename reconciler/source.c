/*
 * source: the work-tree implementation of cf_source, and the path rules that
 * every implementation shares (sorted walk, lexical containment).
 */
#include "reconciler/source.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void cf_source_add_file(cf_source *src, const char *path, size_t root)
{
	src->files = cf_xrealloc(src->files, (src->nfiles + 1) * sizeof(*src->files));
	src->files[src->nfiles].path = cf_xstrdup(path);
	src->files[src->nfiles].root = root;
	src->files[src->nfiles].escapes = false;
	src->nfiles++;
}

void cf_source_add_root(cf_source *src, const char *root)
{
	src->roots = cf_xrealloc(src->roots, (src->nroots + 1) * sizeof(*src->roots));
	src->roots[src->nroots++] = cf_xstrdup(root);
}

void cf_source_free(cf_source *src)
{
	if (!src)
		return;
	if (src->ops && src->ops->free)
		src->ops->free(src);
	for (size_t i = 0; i < src->nfiles; i++)
		free(src->files[i].path);
	for (size_t i = 0; i < src->nroots; i++)
		free(src->roots[i]);
	free(src->files);
	free(src->roots);
	free(src->git_commit);
	free(src);
}

int cf_source_read(const cf_source *src, const char *path, size_t max,
		   char **buf, size_t *len, cf_error *err)
{
	/* a lookup only when the walk found such a link, which is rare */
	for (size_t i = 0; i < src->nfiles && src->nescaping; i++) {
		const cf_source_file *f = &src->files[i];
		if (f->escapes && strcmp(f->path, path) == 0) {
			*buf = NULL;
			*len = 0;
			return cf_error_set(err, CF_EINVALID, "%s: must stay inside %s (a symbolic link leads outside it)",
					    path, src->roots[f->root]);
		}
	}
	return src->ops->read(src, path, max, buf, len, err);
}

static char *join(const char *dir, const char *name)
{
	if (!*dir || strcmp(dir, ".") == 0)
		return cf_xstrdup(name);
	size_t n = strlen(dir);
	return cf_xasprintf("%s%s%s", dir, dir[n - 1] == '/' ? "" : "/", name);
}

/* Pushes the components of p onto stack; false when ".." climbs past floor. */
static bool push_components(char **stack, size_t *depth, size_t floor, char *p)
{
	for (char *save = NULL, *c = strtok_r(p, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0) {
			if (*depth == floor)
				return false;
			(*depth)--;
			continue;
		}
		stack[(*depth)++] = c;
	}
	return true;
}

int cf_source_resolve(char **out, const cf_source *src, size_t file_index,
		      const char *rel, cf_error *err)
{
	*out = NULL;
	if (!*rel)
		return cf_error_set(err, CF_EINVALID, "is empty");
	if (rel[0] == '/')
		return cf_error_set(err, CF_EINVALID, "must be a path relative to the manifest, not an absolute path");
	const cf_source_file *f = &src->files[file_index];
	const char *root = src->roots[f->root];
	size_t rootlen = strcmp(root, ".") == 0 ? 0 : strlen(root);
	const char *inner = f->path + rootlen; /* the manifest, relative to the root */
	while (*inner == '/')
		inner++;
	const char *last = strrchr(inner, '/');
	char *dir = last ? cf_xstrndup(inner, (size_t)(last - inner)) : cf_xstrdup("");
	char *relc = cf_xstrdup(rel);
	char **stack = cf_xcalloc(strlen(dir) + strlen(rel) + 2, sizeof(char *));
	size_t depth = 0;
	bool ok = push_components(stack, &depth, 0, dir) &&
		  push_components(stack, &depth, 0, relc);
	int rc = CF_OK;
	if (!ok || depth == 0) {
		rc = cf_error_set(err, CF_EINVALID, "must stay inside %s",
				  rootlen ? root : "the current directory");
	} else {
		size_t n = rootlen + 2;
		for (size_t i = 0; i < depth; i++)
			n += strlen(stack[i]) + 1;
		char *p = cf_xcalloc(n, 1);
		if (rootlen)
			strcat(strcat(p, root), root[rootlen - 1] == '/' ? "" : "/");
		for (size_t i = 0; i < depth; i++)
			strcat(strcat(p, stack[i]), i + 1 < depth ? "/" : "");
		if (src->ops->contain)
			rc = src->ops->contain(src, f->root, p, err);
		if (rc == CF_OK)
			*out = p;
		else
			free(p);
	}
	free(stack);
	free(relc);
	free(dir);
	return rc;
}

int cf_mkdirs(const char *dir, unsigned mode, cf_error *err)
{
	char *p = cf_xstrdup(dir);
	for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(p, (mode_t)mode);
		*s = '/';
	}
	int rc = CF_OK;
	struct stat st;
	if (mkdir(p, (mode_t)mode) != 0 && errno != EEXIST)
		rc = cf_error_set(err, CF_EIO, "%s: %s", p, strerror(errno));
	else if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode))
		rc = cf_error_set(err, CF_EIO, "%s: not a directory", p);
	free(p);
	return rc;
}

/* ---- the work tree ---- */

static int fs_read(const cf_source *src, const char *path, size_t max,
		   char **buf, size_t *len, cf_error *err)
{
	(void)src;
	*buf = NULL;
	*len = 0;
	/* O_NONBLOCK: opening a FIFO would otherwise wait for a writer for ever */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return cf_error_set(err, CF_EIO, "%s: %s", path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return cf_error_set(err, CF_EIO, "%s: not a regular file", path);
	}
	if ((size_t)st.st_size > max) {
		close(fd);
		return cf_error_set(err, CF_EIO, "%s: file is too large (%lld bytes; the limit is %zu)",
				    path, (long long)st.st_size, max);
	}
	char *b = cf_xmalloc((size_t)st.st_size + 1);
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, b + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	b[got] = '\0';
	*buf = b;
	*len = got;
	return CF_OK;
}

/* The lexical check cannot see symbolic links: a link inside the tree that
 * points outside it must not let a spec read, say, the runner's SSH key. */
static int fs_contain(const cf_source *src, size_t root, const char *path, cf_error *err)
{
	char *r = realpath(src->roots[root], NULL);
	char *p = realpath(path, NULL);
	int rc = CF_OK;
	if (r && p) {
		size_t n = strlen(r);
		bool inside = strncmp(r, p, n) == 0 && (p[n] == '/' || (n == 1 && r[0] == '/'));
		if (!inside)
			rc = cf_error_set(err, CF_EINVALID, "must stay inside %s (a symbolic link leads outside it)",
					  src->roots[root]);
	}
	free(r);
	free(p);
	return rc; /* a missing file is reported when it is read */
}

static const cf_source_ops fs_ops = {.read = fs_read, .contain = fs_contain, .free = NULL};

bool cf_source_is_yaml_name(const char *name)
{
	size_t n = strlen(name);
	return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
	       (n > 4 && strcmp(name + n - 4, ".yml") == 0);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A link is listed even when it leads outside the root, so the refusal is a
 * problem at the file, beside the others, rather than a failed walk. */
static void add_walked(cf_source *src, const char *path, size_t root, bool link)
{
	cf_source_add_file(src, path, root);
	cf_error err = {0};
	if (link && fs_contain(src, root, path, &err) != CF_OK) {
		src->files[src->nfiles - 1].escapes = true;
		src->nescaping++;
	}
	cf_error_clear(&err);
}

static int walk(cf_source *src, const char *dir, size_t root, int depth, cf_error *err)
{
	if (depth > 64)
		return cf_error_set(err, CF_EIO, "%s: directories nested too deeply", dir);
	DIR *d = opendir(dir);
	if (!d)
		return cf_error_set(err, CF_EIO, "%s: %s", dir, strerror(errno));
	char **names = NULL;
	size_t n = 0;
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue; /* ., .., .git, .ciform and other hidden entries */
		names = cf_xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = cf_xstrdup(e->d_name);
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), name_cmp);
	int rc = CF_OK;
	for (size_t i = 0; i < n; i++) {
		char *p = join(dir, names[i]);
		struct stat st;
		if (rc == CF_OK && lstat(p, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				rc = walk(src, p, root, depth + 1, err);
			else if (cf_source_is_yaml_name(names[i]) && (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)))
				add_walked(src, p, root, S_ISLNK(st.st_mode));
		}
		free(p);
		free(names[i]);
	}
	free(names);
	return rc;
}

static int file_cmp(const void *a, const void *b)
{
	return strcmp(((const cf_source_file *)a)->path, ((const cf_source_file *)b)->path);
}

static char *parent_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return cf_xstrdup(".");
	if (slash == path)
		return cf_xstrdup("/");
	return cf_xstrndup(path, (size_t)(slash - path));
}

int cf_source_open_fs(cf_source **out, const char *const *paths, size_t npaths,
		      cf_error *err)
{
	static const char *const dot[] = {"."};
	if (npaths == 0) {
		paths = dot;
		npaths = 1;
	}
	cf_source *src = cf_xcalloc(1, sizeof(*src));
	src->ops = &fs_ops;
	int rc = CF_OK;
	for (size_t i = 0; i < npaths && rc == CF_OK; i++) {
		char *p = cf_xstrdup(paths[i]);
		for (size_t n = strlen(p); n > 1 && p[n - 1] == '/'; n--)
			p[n - 1] = '\0';
		struct stat st;
		if (stat(p, &st) != 0) {
			rc = cf_error_set(err, CF_EIO, "%s: %s", paths[i], strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			cf_source_add_root(src, p);
			size_t first = src->nfiles;
			rc = walk(src, p, src->nroots - 1, 0, err);
			/* the order of `find | LC_ALL=C sort`: a.yaml before a/z.yaml */
			if (src->nfiles - first > 1)
				qsort(src->files + first, src->nfiles - first, sizeof(*src->files), file_cmp);
		} else {
			char *parent = parent_dir(p);
			cf_source_add_root(src, parent);
			free(parent);
			cf_source_add_file(src, p, src->nroots - 1);
		}
		free(p);
	}
	if (rc != CF_OK) {
		cf_source_free(src);
		return rc;
	}
	*out = src;
	return CF_OK;
}
