/*
 * fileio: the one way ciform writes a file. Every file it writes (exported
 * manifests, saved plans, registration tokens, the reconcile status) goes to
 * a hidden temporary beside it first, is flushed to disk, and only then takes
 * the file's name: a reader sees the old file or the new one, never half of
 * one, and a crash leaves no truncated token or plan behind. And the one
 * way it reads an API token from a file (--token-file and its per-vendor
 * twins).
 */
#ifndef CF_FILEIO_H
#define CF_FILEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "reconciler/error.h"

enum {
	CF_WRITE_PRIVATE = 1u,   /* mode 0600 whatever the umask (secrets, plans) */
	CF_WRITE_NO_REPLACE = 2u /* fail with CF_EEXIST rather than replace a file */
};



/* Writes len bytes of data to path as above; without CF_WRITE_PRIVATE the
 * file gets 0666 less the umask. A symbolic link at the temporary's name is
 * never followed. */
int cf_file_write_atomic(const char *path, const char *data, size_t len, unsigned flags, cf_error *err);

/* The API token in the file at path (at most 4 KiB, trailing whitespace
 * dropped; caller frees), or NULL with err naming flag ("--token-file") and
 * path, never the contents: unreadable (CF_EIO) or empty (CF_EUSAGE). */
char *cf_token_file_read(const char *path, const char *flag, cf_error *err);

#endif
