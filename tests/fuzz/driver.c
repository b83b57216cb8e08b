/*
 * driver: replays inputs through a fuzz target without libFuzzer, so the
 * seed corpus and every crash input kept as a regression run in the normal
 * test suite (and under the sanitizers). Arguments: files or directories.
 */
#include "tests/fuzz/fuzz.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int replay(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return 0;
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		int n = 0;
		for (struct dirent *e; d && (e = readdir(d));) {
			if (e->d_name[0] == '.')
				continue;
			char sub[4096];
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			n += replay(sub);
		}
		if (d)
			closedir(d);
		return n;
	}
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	uint8_t *buf = malloc((size_t)st.st_size + 1);
	size_t len = fread(buf, 1, (size_t)st.st_size, f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 1;
}

int main(int argc, char **argv)
{
	int n = 0;
	for (int i = 1; i < argc; i++)
		n += replay(argv[i]);
	printf("replay: %d passed, 0 failed\n", n);
	return n > 0 ? 0 : 1;
}
