/*
 * provider: what a vendor gives the generic core, and all it gives.
 *
 * A provider owns some apiVersions and the kinds written with them. It
 * connects to one organisation, reads the live state a resource set is
 * about, and exports live resources as manifests; each of its kinds (kind.h)
 * carries out its own changes over the connection. The loader, diff, plan,
 * render, apply order, session and reconcile know providers only through this
 * table, so none of them names a vendor. One run may hold manifests of
 * several providers: the session connects each provider whose manifests are
 * present (and only those), each reads its own part of the live state into
 * one cf_live, and apply hands each change to its provider's connection.
 */
#ifndef CF_PROVIDER_H
#define CF_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>
#include "reconciler/error.h"
#include "reconciler/export.h"
#include "reconciler/kind.h"

struct cf_live;
struct cf_resource_set;

/* Where the connection settings come from; each provider says in its docs how
 * it reads them (and which environment variables it falls back on). */
typedef struct cf_conn_settings {
	const char *org_url;    /* --org-url */
	const char *token_file; /* --token-file */
	const char *context;    /* --context: a named context of the vendor's own CLI */
	const char *home;       /* NULL: $HOME */
	/* Settings only one vendor has, as "name=value", NULL-terminated (or
	 * NULL): the command's vendor-specific flags (a host, an org). Each
	 * provider reads its own with cf_conn_option and says which in its docs. */
	const char *const *options;
} cf_conn_settings;

/* The value of option name in s->options, or NULL. */
const char *cf_conn_option(const cf_conn_settings *s, const char *name);

/* Bounds that replace the provider's defaults where non-zero. */
typedef struct cf_limits {
	int parallelism;         /* requests in flight */
	long timeout_ms;         /* one request, whole */
	size_t max_answer_bytes; /* one answer's body */
	unsigned long max_requests; /* in one run, retries included */
} cf_limits;

/* One attempt of a request, for --debug: what was asked and how it ended.
 * Never a header or a body (they carry the token and secrets). */
typedef struct cf_trace {
	const char *method;
	const char *path;    /* after the API's base URL, query included */
	long status;         /* HTTP status, 0 when none came */
	const char *failure; /* no status: the transport's reason, else NULL */
	int attempt;         /* 1 for the first */
	bool retrying;       /* another attempt will follow */
	long ms;             /* how long this attempt took */
} cf_trace;

struct cf_provider;

/* An open connection; impl is the provider's own client. */
typedef struct cf_conn {
	const struct cf_provider *provider;
	void *impl;
} cf_conn;

typedef struct cf_provider {
	const char *name;                /* the vendor, lower case: docs, messages */
	const char *const *api_versions; /* the apiVersions that pick it, NULL-terminated */
	const cf_kind *const *kinds;     /* NULL-terminated, in the loader's order */
	/* The apply order (plan.h cf_plan_phase): kind names, NULL-terminated.
	 * writes: creates and updates kind by kind, CF_PHASE_ACTIVATIONS where
	 * the (de)activations of every kind run; deletes after all writes. */
	const char *const *write_phases;
	const char *const *delete_phases;

	int (*connect)(cf_conn **out, const cf_conn_settings *s, const cf_limits *l, cf_error *err);
	/* Another connection to the same organisation (apply's workers). */
	int (*clone)(cf_conn **out, const cf_conn *c, cf_error *err);
	void (*close)(cf_conn *c);
	/* The organisation as a person writes it, for messages
	 * ("https://acme.example.com (context acme)"); never the token. */
	const char *(*where)(const cf_conn *c);
	/* The organisation's API URL: a saved plan is bound to it. */
	const char *(*org)(const cf_conn *c);
	unsigned long (*requests)(const cf_conn *c); /* sent so far, retries included */
	void (*on_progress)(cf_conn *c, void (*fn)(void *ud, unsigned long done), void *ud);
	void (*on_trace)(cf_conn *c, void (*fn)(void *ud, const cf_trace *t), void *ud);

	/* Adds to live the live state of this provider's manifests in set (set
	 * may hold other providers' too: they are not its business): every
	 * managed resource and every other in the specs' scope (unmanaged).
	 * Spec problems only the live state shows (an unknown project) go to
	 * diags as CF_EINVALID. */
	int (*read_live)(struct cf_live *live, const struct cf_resource_set *set, cf_conn *c, cf_diags *diags,
			 cf_error *err);
	/* Live resources as manifests (export.h); a scope naming what the
	 * organisation lacks is CF_ENOTFOUND. */
	int (*export)(cf_export *out, cf_conn *c, const cf_export_scope *scope, cf_error *err);
} cf_provider;

#define CF_PHASE_ACTIVATIONS "(activations)"

/* Every provider, NULL-terminated. */
extern const cf_provider *const cf_providers[];

/* The provider an apiVersion picks, or NULL. */
const cf_provider *cf_provider_for_api(const char *api_version);
const cf_provider *cf_provider_named(const char *name);
/* The provider that owns a kind. */
const cf_provider *cf_provider_of(const cf_kind *kind);
/* Every apiVersion, or every kind name, of every provider: "a, b or c" for
 * messages; caller frees. */
char *cf_provider_api_words(void);
char *cf_provider_kind_words(void);

/* The provider's place in cf_providers (a session's connections are kept
 * in that order). */
size_t cf_provider_index(const cf_provider *p);
size_t cf_provider_count(void);
/* Whether set holds a manifest of one of p's kinds. */
bool cf_provider_in_set(const cf_provider *p, const struct cf_resource_set *set);

/* NULL-safe close. */
void cf_conn_close(cf_conn *c);

#endif
