/*
 * session: one run of ciform against one organisation. Loads the specs,
 * connects, reads the live state and builds the plan, so that every verb
 * (plan, apply, drift, reconcile) does these steps the same way.
 */
#ifndef CF_SESSION_H
#define CF_SESSION_H

#include "reconciler/plan.h"
#include "reconciler/provider.h"

typedef struct cf_session_opts {
	const char *const *paths; /* spec PATHs; none: "." */
	size_t npaths;
	cf_source *src;           /* instead of paths: an open source (taken over) */
	const char *git_ref;      /* read the PATHs from this commit (see gitsrc.h) */
	const char *repo;         /* --repo: the repository for git_ref */
	cf_conn_settings conn;
	/* Bounds that replace the provider's defaults where non-zero; the
	 * parallelism also bounds apply's workers (0: 8). */
	cf_limits limits;
	cf_plan_opts plan;
	/* While the live state is read: how many API answers came so far. */
	void (*progress)(void *ud, unsigned long answers);
	void *ud;
	/* Every request's attempts, for --debug (client.h); NULL: none. */
	void (*trace)(void *ud, const cf_trace *t);
	void *trace_ud;
	/* A PATH holding no manifest is accepted (else it is an error: a
	 * mistyped PATH would otherwise plan "No changes" and pass). */
	bool allow_empty;
} cf_session_opts;

typedef struct cf_session {
	cf_source *src;
	cf_resource_set *set;
	/* One per provider, in cf_providers' order: open for each provider whose
	 * manifests the set holds, NULL for the others. */
	cf_conn **conns;
	int parallelism;             /* for apply: the limit asked for, or 8 */
	cf_live *live;
	cf_plan *plan;
} cf_session;

/* Opens the specs: the work tree, or a commit when o->git_ref is set. */
int cf_session_open_source(cf_source **out, const cf_session_opts *o, cf_error *err);

/* Spec problems go to diags (CF_EINVALID): all of them a run can find, a
 * project that does not exist included (the other manifests are still
 * checked against the live state). Anything else goes to err: a PATH with
 * no manifest (unless allow_empty), a --target that names neither a spec nor
 * a live resource (with the closest addresses), a connection or API error.
 * *out is NULL on failure. */
int cf_session_plan(cf_session **out, const cf_session_opts *o, cf_diags *diags, cf_error *err);
void cf_session_free(cf_session *s);

/* The organisations the session talks to, for people ("https://acme.example.com
 * (sem context acme)", several joined by " and ") and for binding a saved plan
 * (each provider's API URL); "" when none. Caller frees. */
char *cf_session_where(const cf_session *s);
char *cf_session_orgs(const cf_session *s);

#endif
