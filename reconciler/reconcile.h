/*
 * reconcile: one cycle of the GitOps loop. Fetch the repository into a
 * cache (cloned once: a bare repository, fetched every cycle), read the specs
 * at the ref (default: the remote's default branch) under an optional path,
 * plan, and report or apply. Each cycle's outcome is written atomically to a
 * status file: commit, time, summary, result, error. The loop itself, its
 * interval, its signals and its log lines belong to the command.
 *
 * A loop meant to run for months must not repeat a plan every few minutes:
 * each cycle gives a digest of its plan, and the plan is reported only when
 * it differs from the previous cycle's (or always, when asked). Credentials
 * for the remote come from the environment (gitauth.h), never from the URL.
 */
#ifndef CF_RECONCILE_H
#define CF_RECONCILE_H

#include <signal.h>
#include "reconciler/apply.h"
#include "reconciler/session.h"

typedef struct cf_reconcile_opts {
	const char *git_url;     /* as gitauth.h's cf_gitauth_check_url accepts */
	const char *git_ref;     /* NULL: the remote's default branch */
	const char *path;        /* the specs' directory in the repository; NULL: its root */
	const char *cache_dir;   /* where the bare cache repositories live */
	const char *status_file; /* NULL: none */
	bool apply;
	bool prune;
	cf_conn_settings conn;
	int parallelism;
	cf_apply_opts apply_opts;
	/* Gets the plan text, before any apply progress; may be NULL. */
	void (*report)(void *ud, const char *text);
	const char *previous_plan; /* the last cycle's plan_digest: that plan is not reported again */
	bool report_every_plan;    /* report the plan even when it is the previous one */
	void *ud;
	volatile sig_atomic_t *stop; /* set by a signal: finish the step, start no apply */
} cf_reconcile_opts;

typedef enum { CF_CYCLE_UNCHANGED, CF_CYCLE_DRIFT, CF_CYCLE_APPLIED, CF_CYCLE_ERROR } cf_cycle_result;

typedef struct cf_cycle {
	cf_cycle_result result;
	char commit[41];  /* "" when the fetch failed */
	size_t counts[CF_NACTIONS];
	size_t unchanged;
	char *error;      /* for CF_CYCLE_ERROR */
	char plan_digest[65]; /* of the plan's text; "" when there was no plan */
} cf_cycle;

extern const char *const cf_cycle_result_names[]; /* "unchanged", "drift", "applied", "error" */

/* Runs one cycle; failures are recorded in the cycle (and the status file),
 * not returned: a failed cycle is part of a running loop. */
void cf_reconcile_cycle(cf_cycle *cycle, const cf_reconcile_opts *o);
void cf_cycle_clear(cf_cycle *cycle);

#endif
