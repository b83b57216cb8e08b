/*
 * suggest: edit distance over two rows, and a threshold that grows with the
 * word: one slip in a short key, a few in a long address.
 */
#include "reconciler/suggest.h"
#include "reconciler/error.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

size_t cf_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t *prev = cf_xcalloc(lb + 1, sizeof(size_t)), *cur = cf_xcalloc(lb + 1, sizeof(size_t));
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		size_t *t = prev;
		prev = cur;
		cur = t;
	}
	size_t d = prev[lb];
	free(prev);
	free(cur);
	return d;
}

/* Close enough to be a typo: a third of the word, at least 1, at most 4. */
static size_t threshold(const char *word)
{
	size_t t = strlen(word) / 3;
	return t < 1 ? 1 : t > 4 ? 4 : t;
}

size_t cf_suggest_many(const char **out, size_t max, const char *word, const char *const *candidates)
{
	size_t n = 0, limit = threshold(word);
	size_t *dist = cf_xcalloc(max + 1, sizeof(size_t));
	for (const char *const *c = candidates; c && *c && max; c++) {
		if (!strcmp(*c, word))
			continue;
		size_t d = cf_edit_distance(word, *c);
		if (d > limit)
			continue;
		size_t at = n;
		while (at > 0 && dist[at - 1] > d)
			at--;
		if (at >= max)
			continue;
		size_t keep = n < max ? n : max - 1;
		memmove(out + at + 1, out + at, (keep - at) * sizeof(*out));
		memmove(dist + at + 1, dist + at, (keep - at) * sizeof(*dist));
		out[at] = *c;
		dist[at] = d;
		n = keep + 1;
	}
	free(dist);
	return n;
}

const char *cf_suggest(const char *word, const char *const *candidates)
{
	const char *best = NULL;
	return cf_suggest_many(&best, 1, word, candidates) ? best : NULL;
}
