/*
 * apply: carry out a plan, in its order: phase after phase, and within a
 * phase up to opts.parallelism changes at once (each on its own thread and
 * client; the result stays in plan order).
 *
 * First every change's preflight runs (nothing is changed if one fails);
 * then each change is handed to its kind's apply hook. On the first failure no
 * further change is started, and the result says which changes were applied,
 * which failed and which were not attempted. Progress is reported through a
 * callback: the library prints nothing. Nor does it know about signals: the
 * caller may point opts.stop at a flag its handler sets, and apply then
 * finishes the change in flight and starts no other (CF_EINTERRUPTED).
 */
#ifndef CF_APPLY_H
#define CF_APPLY_H

#include <signal.h>
#include "reconciler/plan.h"
#include "reconciler/provider.h"

/* Returned by cf_apply_run when opts.stop was set before every change ran. */
#define CF_EINTERRUPTED (-20)

typedef struct cf_apply_opts {
	const char *token_dir; /* registration tokens; NULL: token_file.h's default */
	long wait_timeout_ms;  /* for SYNCING targets and busy agents; 0: 180 s */
	long poll_first_ms;    /* first poll interval, doubling up to 2 s; 0: 100 ms */
	/* what: "start", "done", or a note such as where a token was written,
	 * or how long a wait has lasted ("still SYNCING after 30 s") */
	void (*progress)(void *ud, const cf_change *ch, const char *what);
	void *ud;
	long report_every_ms;  /* a wait says it still waits this often; 0: 30 s */
	/* When *stop becomes non-zero, no further change is started. */
	volatile sig_atomic_t *stop;
	/* Changes of one phase (plan.h cf_plan_phase) run up to parallelism at
	 * once, each worker on connections of its own (the providers' clone);
	 * 0 or 1: one at a time on the session's. */
	int parallelism;
	/* Carry out replacements (plan.h cf_change.replace); else a plan with
	 * one is refused before anything is changed (CF_EUSAGE). */
	bool allow_replace;
	/* Traces the requests of the workers' own connections, as the session's
	 * are (provider.h on_trace); NULL: none. Called from several threads. */
	void (*trace)(void *ud, const cf_trace *t);
	void *trace_ud;
} cf_apply_opts;

typedef struct cf_apply_ctx {
	/* The session's connections, one per provider in cf_providers' order
	 * (NULL for a provider with no manifest). */
	cf_conn *const *conns;
	/* The connection of the change in flight's provider: set by cf_apply_run
	 * for the kind's hooks. */
	cf_conn *conn;
	cf_conn **own;  /* internal: a worker's own connections, made as needed */
	const cf_live *live;
	const cf_apply_opts *opts;
	cJSON *created; /* address -> id of what this apply created */
	const cf_change *current; /* the change in flight (set by cf_apply_run) */
	void *lock;     /* internal: set while workers share created and progress */
} cf_apply_ctx;

typedef enum { CF_NOT_STARTED, CF_APPLIED, CF_FAILED } cf_change_state;

typedef struct cf_apply_result {
	cf_change_state *states; /* one per plan change */
	char **ids;              /* each change's resource id after apply, or NULL */
	char **errors;           /* a failed change's message, or NULL */
	size_t count;
	size_t applied, failed;
	bool interrupted;        /* opts.stop ended the run early */
} cf_apply_result;

/* Returns 0 when every change was applied; otherwise the failure, with the
 * per-change states in res (free with cf_apply_result_clear). */
int cf_apply_run(cf_apply_result *res, const cf_plan *plan, cf_apply_ctx *ctx, cf_error *err);
void cf_apply_result_clear(cf_apply_result *res);

/* For kinds' hooks: report progress; and poll with backoff until poll()
 * returns 1 (done: 0), fails (its negative code), or the wait timeout
 * passes (CF_ETIMEOUT, err untouched). poll returns 0 for "not yet". */
void cf_apply_note(cf_apply_ctx *ctx, const cf_change *ch, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Records the id of a resource this apply created; cf_apply_id gives a
 * change's id, or the created one's for a change planned before it existed. */
void cf_apply_created(cf_apply_ctx *ctx, const char *address, const char *id);
const char *cf_apply_id(cf_apply_ctx *ctx, const cf_change *ch);
int cf_apply_wait(cf_apply_ctx *ctx, int (*poll)(void *ud, cf_error *err), void *ud, cf_error *err);
/* The same, saying every opts.report_every_ms what it waits for: what is a
 * state or a phrase ("SYNCING", "waiting for busy agents"), and the note
 * reads "still SYNCING after 30 s". cf_apply_wait says "still waiting". */
int cf_apply_wait_for(cf_apply_ctx *ctx, const char *what, int (*poll)(void *ud, cf_error *err), void *ud,
		      cf_error *err);

#endif
