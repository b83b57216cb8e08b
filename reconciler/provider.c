/*
 * provider: the registry of providers, and the lookups the core makes in it
 * (provider.h). Adding a provider is one row here; adding a kind is one row
 * in its provider's kind list.
 */
#include "reconciler/provider.h"
#include "reconciler/manifest.h"
#include "reconciler/schema.h"

#include <stdlib.h>
#include <string.h>

extern const cf_provider cf_semaphore_provider;
extern const cf_provider cf_buildkite_provider;
extern const cf_provider cf_circleci_provider;

const cf_provider *const cf_providers[] = {
	&cf_semaphore_provider,
	&cf_buildkite_provider,
	&cf_circleci_provider,
	NULL,
};

const cf_provider *cf_provider_for_api(const char *api_version)
{
	for (size_t p = 0; api_version && cf_providers[p]; p++)
		for (const char *const *v = cf_providers[p]->api_versions; *v; v++)
			if (!strcmp(*v, api_version))
				return cf_providers[p];
	return NULL;
}

const cf_provider *cf_provider_named(const char *name)
{
	for (size_t p = 0; name && cf_providers[p]; p++)
		if (!strcmp(cf_providers[p]->name, name))
			return cf_providers[p];
	return NULL;
}

const cf_provider *cf_provider_of(const cf_kind *kind)
{
	for (size_t p = 0; cf_providers[p]; p++)
		for (const cf_kind *const *k = cf_providers[p]->kinds; *k; k++)
			if (*k == kind)
				return cf_providers[p];
	return NULL;
}

const cf_kind *cf_kind_nth(size_t i)
{
	for (size_t p = 0; cf_providers[p]; p++)
		for (const cf_kind *const *k = cf_providers[p]->kinds; *k; k++)
			if (i-- == 0)
				return *k;
	return NULL;
}

const cf_kind *cf_kind_find(const char *name)
{
	const cf_kind *k;
	for (size_t i = 0; name && (k = cf_kind_nth(i)); i++)
		if (!strcmp(k->name, name))
			return k;
	return NULL;
}

static char *words(const char *(*of)(size_t i))
{
	size_t n = 0;
	while (of(n))
		n++;
	const char **list = cf_xcalloc(n + 1, sizeof(*list));
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		bool seen = false;
		for (size_t j = 0; j < m && !seen; j++)
			seen = !strcmp(list[j], of(i));
		if (!seen)
			list[m++] = of(i);
	}
	char *out = cf_schema_list_words(list);
	free(list);
	return out;
}

static const char *kind_name_at(size_t i)
{
	const cf_kind *k = cf_kind_nth(i);
	return k ? k->name : NULL;
}

static const char *api_at(size_t i)
{
	for (size_t p = 0; cf_providers[p]; p++)
		for (const char *const *v = cf_providers[p]->api_versions; *v; v++)
			if (i-- == 0)
				return *v;
	return NULL;
}

char *cf_provider_kind_words(void)
{
	return words(kind_name_at);
}

char *cf_provider_api_words(void)
{
	return words(api_at);
}

size_t cf_provider_index(const cf_provider *p)
{
	size_t i = 0;
	while (cf_providers[i] && cf_providers[i] != p)
		i++;
	return i;
}

size_t cf_provider_count(void)
{
	size_t n = 0;
	while (cf_providers[n])
		n++;
	return n;
}

bool cf_provider_in_set(const cf_provider *p, const cf_resource_set *set)
{
	for (size_t i = 0; set && i < set->count; i++)
		if (cf_provider_of(set->items[i].kind) == p)
			return true;
	return false;
}

const char *cf_conn_option(const cf_conn_settings *s, const char *name)
{
	size_t n = strlen(name);
	for (const char *const *o = s ? s->options : NULL; o && *o; o++)
		if (!strncmp(*o, name, n) && (*o)[n] == '=')
			return *o + n + 1;
	return NULL;
}

void cf_conn_close(cf_conn *c)
{
	if (c)
		c->provider->close(c);
}
