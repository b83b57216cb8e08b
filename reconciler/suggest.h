/*
 * suggest: "did you mean ...?" for a name that is almost one we know.
 *
 * A mistyped key, kind or --target address otherwise earns only "unknown";
 * the closest known name by edit distance (ignoring case, so a wrong case
 * is the closest of all) turns that into a fix. Only names close enough to
 * be a typo are offered: a suggestion far from what was written misleads.
 */
#ifndef CF_SUGGEST_H
#define CF_SUGGEST_H

#include <stddef.h>

/* Levenshtein distance between a and b, ignoring ASCII case. */
size_t cf_edit_distance(const char *a, const char *b);

/* The candidate closest to word when it is close enough to be a typo of it
 * (and is not word itself), else NULL. candidates is NULL-terminated. */
const char *cf_suggest(const char *word, const char *const *candidates);

/* Up to max candidates, closest first (ties in the given order), that are
 * close enough to be typos of word; returns how many were put in out. */
size_t cf_suggest_many(const char **out, size_t max, const char *word, const char *const *candidates);

#endif
