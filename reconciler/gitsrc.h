/*
 * gitsrc: specs read straight from a git commit, with libgit2.
 *
 * The work tree is never looked at, so a dirty or different checkout cannot
 * change what is planned: a pull request's plan comes from its commit. File
 * names in messages are relative to the repository. `source:` and
 * `valueFrom.file` resolve inside the same commit; symbolic links in it are
 * refused rather than followed.
 */
#ifndef CF_GITSRC_H
#define CF_GITSRC_H

#include "reconciler/source.h"

/* The specs under PATHs at REF (branch, tag, SHA, HEAD~1...) of the
 * repository at repo_dir, or else the one containing the first PATH (or the
 * current directory). With repo_dir, PATHs are relative to the repository's
 * root; without, to the current directory, as plain files would be. */
int cf_source_open_git(cf_source **out, const char *repo_dir, const char *ref,
		       const char *const *paths, size_t npaths, cf_error *err);

/* The same for a repository already open (a reconcile cache, bare or not):
 * PATHs relative to its root; commit is a full SHA. */
struct git_repository;
int cf_source_open_git_commit(cf_source **out, struct git_repository *repo, const char *commit,
			      const char *const *paths, size_t npaths, cf_error *err);

#endif
