/*
 * fileio: atomic writes (see fileio.h). The temporary is hidden (".NAME.XXXXXX",
 * no *.yaml), so a validate running meanwhile never reads it; NO_REPLACE
 * uses link(), which fails rather than replace a file that appeared in the
 * meantime, and falls back to rename where the file system has no hard links.
 */
#include "reconciler/fileio.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int write_all(int fd, const char *data, size_t len)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

static char *temp_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return cf_xasprintf(".%s.XXXXXX", path);
	return cf_xasprintf("%.*s/.%s.XXXXXX", (int)(slash - path), path, slash + 1);
}

static int put_in_place(const char *tmp, const char *path, unsigned flags, cf_error *err)
{
	if (!(flags & CF_WRITE_NO_REPLACE)) {
		if (rename(tmp, path) != 0)
			return cf_error_set(err, CF_EIO, "%s: %s", path, strerror(errno));
		return CF_OK;
	}
	if (link(tmp, path) == 0)
		return CF_OK;
	if (errno == EEXIST)
		return cf_error_set(err, CF_EEXIST, "%s already exists", path);
	if ((errno != EPERM && errno != EOPNOTSUPP) || rename(tmp, path) != 0)
		return cf_error_set(err, CF_EIO, "%s: %s", path, strerror(errno));
	return CF_OK;
}

int cf_file_write_atomic(const char *path, const char *data, size_t len, unsigned flags, cf_error *err)
{
	char *tmp = temp_name(path);
	mode_t mask = umask(0);
	umask(mask);
	mode_t mode = (flags & CF_WRITE_PRIVATE) ? 0600 : (0666 & ~mask);
	int fd = mkstemp(tmp); /* O_EXCL: never follows a link planted at the name */
	int rc = CF_OK;
	if (fd < 0 || fchmod(fd, mode) != 0 || write_all(fd, data, len) != 0 || fsync(fd) != 0)
		rc = cf_error_set(err, CF_EIO, "%s: %s", path, strerror(errno));
	if (fd >= 0 && close(fd) != 0 && rc == CF_OK)
		rc = cf_error_set(err, CF_EIO, "%s: %s", path, strerror(errno));
	if (rc == CF_OK)
		rc = put_in_place(tmp, path, flags, err);
	if (fd >= 0)
		unlink(tmp); /* gone already after a rename */
	free(tmp);
	return rc;
}

char *cf_token_file_read(const char *path, const char *flag, cf_error *err)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		cf_error_set(err, CF_EIO, "%s %s: cannot be read", flag, path);
		return NULL;
	}
	char buf[4096];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n > 0 && isspace((unsigned char)buf[n - 1]))
		buf[--n] = '\0';
	if (n == 0) {
		cf_error_set(err, CF_EUSAGE, "%s %s is empty", flag, path);
		return NULL;
	}
	return cf_xstrdup(buf);
}
