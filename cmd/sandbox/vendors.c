/*
 * vendors: the APIs besides Semaphore's that ciform-sandbox can answer
 * (--api NAME). Each is a folder of its own under cmd/sandbox/ and one row
 * here; the common machinery (faults, latency, stats, --record, seed and
 * state files) is shared.
 */
#include "cmd/sandbox/sandbox.h"

#include <string.h>

extern const sbx_vendor sbx_buildkite_vendor;

extern const sbx_vendor sbx_circleci_vendor;

const sbx_vendor *const sbx_vendors[] = {
	&sbx_circleci_vendor,
	&sbx_buildkite_vendor,
	NULL,
};

const sbx_vendor *sbx_vendor_named(const char *name)
{
	for (size_t i = 0; sbx_vendors[i]; i++)
		if (!strcmp(sbx_vendors[i]->name, name))
			return sbx_vendors[i];
	return NULL;
}
