/*
 * apply: the plan's changes in order, each through its kind's hook; stop at
 * the first failure and say exactly what was and was not done.
 */
#include "reconciler/apply.h"
#include "reconciler/provider.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void lock(cf_apply_ctx *ctx)
{
	if (ctx->lock)
		pthread_mutex_lock(ctx->lock);
}

static void unlock(cf_apply_ctx *ctx)
{
	if (ctx->lock)
		pthread_mutex_unlock(ctx->lock);
}

void cf_apply_note(cf_apply_ctx *ctx, const cf_change *ch, const char *fmt, ...)
{
	if (!ctx->opts->progress)
		return;
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	lock(ctx); /* one line at a time, whichever worker says it */
	ctx->opts->progress(ctx->opts->ud, ch, buf);
	unlock(ctx);
}

/* A wait of minutes that prints nothing looks like a hang: every
 * report_every_ms, the change in flight says it still waits, and for what. */
int cf_apply_wait_for(cf_apply_ctx *ctx, const char *what, int (*poll)(void *ud, cf_error *err), void *ud,
		      cf_error *err)
{
	long timeout = ctx->opts->wait_timeout_ms > 0 ? ctx->opts->wait_timeout_ms : 180000;
	long interval = ctx->opts->poll_first_ms > 0 ? ctx->opts->poll_first_ms : 100;
	long every = ctx->opts->report_every_ms > 0 ? ctx->opts->report_every_ms : 30000;
	long long start = now_ms(), deadline = start + timeout, next_report = start + every;
	for (;;) {
		int r = poll(ud, err);
		if (r < 0)
			return r;
		if (r > 0)
			return CF_OK;
		long long now = now_ms(), left = deadline - now;
		if (left <= 0)
			return CF_ETIMEOUT;
		if (now >= next_report && ctx->current) { /* on the mark: "after 30 s", "after 60 s" */
			cf_apply_note(ctx, ctx->current, "still %s after %lld s", what, (next_report - start) / 1000);
			next_report += every;
		}
		long nap = interval < left ? interval : (long)left; /* the last poll comes at the deadline */
		if (ctx->current && next_report - now > 0 && next_report - now < nap)
			nap = (long)(next_report - now); /* a poll on the mark, so the report is never skipped */
		nanosleep(&(struct timespec){nap / 1000, (nap % 1000) * 1000000L}, NULL);
		interval = interval * 2 > 2000 ? 2000 : interval * 2;
	}
}

int cf_apply_wait(cf_apply_ctx *ctx, int (*poll)(void *ud, cf_error *err), void *ud, cf_error *err)
{
	return cf_apply_wait_for(ctx, "waiting", poll, ud, err);
}

void cf_apply_created(cf_apply_ctx *ctx, const char *address, const char *id)
{
	lock(ctx);
	if (!ctx->created)
		ctx->created = cJSON_CreateObject();
	cJSON_DeleteItemFromObjectCaseSensitive(ctx->created, address);
	cJSON_AddStringToObject(ctx->created, address, id);
	unlock(ctx);
}

const char *cf_apply_id(cf_apply_ctx *ctx, const cf_change *ch)
{
	if (ch->id)
		return ch->id;
	lock(ctx);
	const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ctx->created, ch->address));
	unlock(ctx);
	return id;
}

/* How the API addresses the resource once applied (live.h): a created
 * target's new UUID; an agent type's name; a retention policy's project. */
static const char *id_after(cf_apply_ctx *ctx, const cf_change *ch)
{
	const char *id = cf_apply_id(ctx, ch);
	if (id)
		return id;
	if (ch->kind->has_name && !ch->kind->has_project)
		return ch->name;
	if (ch->kind->has_project && !ch->kind->has_name)
		return ch->project_id;
	return NULL;
}

static bool stopped(const cf_apply_ctx *ctx)
{
	return ctx->opts->stop && *ctx->opts->stop;
}

/* One change, its outcome recorded in res at its place in the plan. */
/* Points ctx->conn at the connection for ch's provider: the session's, or in
 * a worker its own clone of it, made the first time it is needed. */
static int use_conn(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err)
{
	const cf_provider *p = cf_provider_of(ch->kind);
	size_t i = cf_provider_index(p);
	cf_conn *shared = p && ctx->conns ? ctx->conns[i] : NULL;
	if (!shared)
		return cf_error_set(err, CF_EUSAGE, "%s: no connection to %s", ch->address, p ? p->name : "its vendor");
	if (!ctx->own) {
		ctx->conn = shared;
		return CF_OK;
	}
	if (!ctx->own[i]) {
		int rc = p->clone(&ctx->own[i], shared, err);
		if (rc != CF_OK)
			return rc;
		p->on_trace(ctx->own[i], ctx->opts->trace, ctx->opts->trace_ud); /* --debug sees workers too */
	}
	ctx->conn = ctx->own[i];
	return CF_OK;
}

static int run_one(cf_apply_result *res, const cf_plan *plan, size_t i, cf_apply_ctx *ctx, cf_error *err)
{
	const cf_change *ch = &plan->changes[i];
	ctx->current = ch;
	cf_apply_note(ctx, ch, "start");
	int rc = use_conn(ctx, ch, err);
	if (rc == CF_OK)
		rc = ch->kind->apply(ctx, ch, err);
	const char *id = id_after(ctx, ch);
	lock(ctx);
	res->states[i] = rc == CF_OK ? CF_APPLIED : CF_FAILED;
	res->ids[i] = id ? cf_xstrdup(id) : NULL;
	if (rc == CF_OK) {
		res->applied++;
	} else {
		res->errors[i] = cf_xstrdup(err && err->message ? err->message : "failed");
		res->failed++;
	}
	unlock(ctx);
	if (rc == CF_OK)
		cf_apply_note(ctx, ch, "done");
	ctx->current = NULL;
	return rc;
}

/* The workers of one phase: each takes the next change until none is left,
 * one has failed, or a stop was asked for. */
typedef struct phase_pool {
	pthread_mutex_t mutex;
	cf_apply_ctx *main;
	cf_apply_result *res;
	const cf_plan *plan;
	size_t next, end;
	int rc;
	cf_error err; /* the first failure's */
} phase_pool;

static void *worker(void *arg)
{
	phase_pool *p = arg;
	cf_apply_ctx ctx = *p->main;
	cf_error err = {0};
	ctx.own = cf_xcalloc(cf_provider_count() + 1, sizeof(*ctx.own));
	for (;;) {
		pthread_mutex_lock(&p->mutex);
		bool go = p->rc == CF_OK && p->next < p->end && !stopped(&ctx);
		size_t i = p->next++;
		pthread_mutex_unlock(&p->mutex);
		if (!go)
			break;
		int rc = run_one(p->res, p->plan, i, &ctx, &err);
		pthread_mutex_lock(&p->mutex);
		if (rc != CF_OK && p->rc == CF_OK)
			p->rc = cf_error_set(&p->err, rc, "%s", err.message ? err.message : "failed");
		pthread_mutex_unlock(&p->mutex);
		cf_error_clear(&err);
	}
	for (size_t i = 0; cf_providers[i]; i++)
		cf_conn_close(ctx.own[i]);
	free(ctx.own);
	return NULL;
}

/* Changes [from, to) of one phase, up to parallelism at once. */
static int run_phase(cf_apply_result *res, const cf_plan *plan, size_t from, size_t to, cf_apply_ctx *ctx,
		     cf_error *err)
{
	size_t n = (size_t)ctx->opts->parallelism;
	if (n > to - from)
		n = to - from;
	phase_pool p = {.main = ctx, .res = res, .plan = plan, .next = from, .end = to, .rc = CF_OK};
	pthread_mutex_init(&p.mutex, NULL);
	pthread_t *threads = cf_xcalloc(n, sizeof(pthread_t));
	size_t started = 0;
	for (; started < n; started++)
		if (pthread_create(&threads[started], NULL, worker, &p) != 0)
			break;
	if (started == 0)
		worker(&p); /* no thread could be had: this one does the work */
	for (size_t k = 0; k < started; k++)
		pthread_join(threads[k], NULL);
	free(threads);
	pthread_mutex_destroy(&p.mutex);
	if (p.rc != CF_OK)
		cf_error_set(err, p.rc, "%s", p.err.message);
	cf_error_clear(&p.err);
	return p.rc;
}

static size_t not_started(const cf_apply_result *res)
{
	size_t n = 0;
	for (size_t i = 0; i < res->count; i++)
		n += res->states[i] == CF_NOT_STARTED;
	return n;
}

/* A replacement leaves a gap (the resource is gone until it is created
 * again, with a new id): only when the caller allows it, and then before
 * anything is changed. */
static int refuse_replacements(const cf_plan *plan, const cf_apply_ctx *ctx, cf_error *err)
{
	if (!plan->replacements || ctx->opts->allow_replace)
		return CF_OK;
	size_t n = 0, len = 0;
	char list[1024] = "";
	for (size_t i = 0; i < plan->count; i++) {
		const cf_change *c = &plan->changes[i];
		if (!c->replace || c->action != CF_CREATE)
			continue;
		if (n++ < 5 && len < sizeof(list))
			len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", n > 1 ? ", " : "", c->address);
	}
	if (n > 5 && len < sizeof(list))
		snprintf(list + len, sizeof(list) - len, " and %zu more", n - 5);
	return cf_error_set(err, CF_EUSAGE, "%s must be replaced (deleted, then created anew) and replacing "
			    "was not allowed: nothing was changed", list);
}

int cf_apply_run(cf_apply_result *res, const cf_plan *plan, cf_apply_ctx *ctx, cf_error *err)
{
	memset(res, 0, sizeof(*res));
	res->count = plan->count;
	res->states = cf_xcalloc(plan->count + 1, sizeof(cf_change_state));
	res->ids = cf_xcalloc(plan->count + 1, sizeof(char *));
	res->errors = cf_xcalloc(plan->count + 1, sizeof(char *));
	int rc = refuse_replacements(plan, ctx, err);
	for (size_t i = 0; i < plan->count && rc == CF_OK; i++)
		if (plan->changes[i].kind->preflight && (rc = use_conn(ctx, &plan->changes[i], err)) == CF_OK)
			rc = plan->changes[i].kind->preflight(ctx, &plan->changes[i], err);
	bool parallel = ctx->opts->parallelism > 1;
	pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
	if (parallel) {
		ctx->created = cJSON_CreateObject(); /* shared by the workers, under the lock */
		ctx->lock = &mutex;
	}
	for (size_t i = 0; i < plan->count && rc == CF_OK;) {
		if (stopped(ctx))
			break;
		size_t end = i + 1;
		while (parallel && end < plan->count && cf_plan_phase(&plan->changes[end]) == cf_plan_phase(&plan->changes[i]))
			end++;
		rc = end - i > 1 ? run_phase(res, plan, i, end, ctx, err) : run_one(res, plan, i, ctx, err);
		i = end;
	}
	if (rc == CF_OK && stopped(ctx) && not_started(res)) {
		res->interrupted = true;
		rc = cf_error_set(err, CF_EINTERRUPTED, "interrupted: %zu of %zu change%s not started",
				  not_started(res), plan->count, plan->count == 1 ? "" : "s");
	}
	ctx->current = NULL;
	ctx->lock = NULL;
	cJSON_Delete(ctx->created);
	ctx->created = NULL;
	return rc;
}

void cf_apply_result_clear(cf_apply_result *res)
{
	for (size_t i = 0; i < res->count; i++) {
		free(res->ids ? res->ids[i] : NULL);
		free(res->errors ? res->errors[i] : NULL);
	}
	free(res->ids);
	free(res->errors);
	free(res->states);
	memset(res, 0, sizeof(*res));
}
