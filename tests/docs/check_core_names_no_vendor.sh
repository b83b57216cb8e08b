#!/bin/sh
# The provider boundary: the core of the library (every file of reconciler/
# outside reconciler/providers/) names no vendor. A vendor's name, its client's
# cf_sem_ prefix, or an include of a provider's folder in the core means the
# core depends on one vendor, and the next provider would have to change it.
# The one exception is the registry in provider.c: each provider's extern
# and its row in cf_providers[].
# Usage: check_core_names_no_vendor.sh SOURCE_DIR
cd "$1/reconciler" || exit 1
hits=$(grep -n -i -E 'cf_sem_|semaphore|circleci|buildkite|providers/' -- *.c *.h |
	grep -v -E '^provider\.c:[0-9]+:(extern const cf_provider cf_[a-z]+_provider;|	&cf_[a-z]+_provider,)$')
if [ -n "$hits" ]; then
	echo "FAIL: the core names a vendor (move this into reconciler/providers/NAME/):"
	echo "$hits"
	exit 1
fi
n=$(ls -- *.c *.h | wc -l)
echo "ok: $n core files name no vendor"
