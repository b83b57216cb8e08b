/*
 * strmap: FNV-1a hashing, linear probing, doubling at half full.
 */
#include "reconciler/strmap.h"
#include "reconciler/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct slot {
	char *key;
	void *value;
	uint64_t hash;
} slot;

struct cf_strmap {
	slot *slots;
	size_t cap, count;
};

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

cf_strmap *cf_strmap_new(void)
{
	cf_strmap *m = cf_xcalloc(1, sizeof(*m));
	m->cap = 16;
	m->slots = cf_xcalloc(m->cap, sizeof(slot));
	return m;
}

void cf_strmap_free(cf_strmap *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].key);
	free(m->slots);
	free(m);
}

static slot *find(const cf_strmap *m, const char *key, uint64_t h)
{
	for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		slot *s = &m->slots[i];
		if (!s->key || (s->hash == h && !strcmp(s->key, key)))
			return s;
	}
}

static void grow(cf_strmap *m)
{
	slot *old = m->slots;
	size_t n = m->cap;
	m->cap *= 2;
	m->slots = cf_xcalloc(m->cap, sizeof(slot));
	for (size_t i = 0; i < n; i++)
		if (old[i].key)
			*find(m, old[i].key, old[i].hash) = old[i];
	free(old);
}

void *cf_strmap_put(cf_strmap *m, const char *key, void *value)
{
	if ((m->count + 1) * 2 > m->cap)
		grow(m);
	uint64_t h = fnv1a(key);
	slot *s = find(m, key, h);
	void *before = s->key ? s->value : NULL;
	if (!s->key) {
		s->key = cf_xstrdup(key);
		s->hash = h;
		m->count++;
	}
	s->value = value;
	return before;
}

void *cf_strmap_get(const cf_strmap *m, const char *key)
{
	slot *s = find(m, key, fnv1a(key));
	return s->key ? s->value : NULL;
}

size_t cf_strmap_count(const cf_strmap *m)
{
	return m->count;
}
