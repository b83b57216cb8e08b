/*
 * apply: the plan's changes in order, each through its kind's hook; stop at
 * the first failure and say exactly what was and was not done.
 */
#include "reconciler/apply.h"

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

void cf_apply_note(cf_apply_ctx *ctx, const cf_change *ch, const char *fmt, ...)
{
	if (!ctx->opts->progress)
		return;
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ctx->opts->progress(ctx->opts->ud, ch, buf);
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
	if (!ctx->created)
		ctx->created = cJSON_CreateObject();
	cJSON_DeleteItemFromObjectCaseSensitive(ctx->created, address);
	cJSON_AddStringToObject(ctx->created, address, id);
}

const char *cf_apply_id(cf_apply_ctx *ctx, const cf_change *ch)
{
	if (ch->id)
		return ch->id;
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ctx->created, ch->address));
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

int cf_apply_run(cf_apply_result *res, const cf_plan *plan, cf_apply_ctx *ctx, cf_error *err)
{
	memset(res, 0, sizeof(*res));
	res->count = plan->count;
	res->states = cf_xcalloc(plan->count + 1, sizeof(cf_change_state));
	res->ids = cf_xcalloc(plan->count + 1, sizeof(char *));
	res->errors = cf_xcalloc(plan->count + 1, sizeof(char *));
	int rc = CF_OK;
	for (size_t i = 0; i < plan->count && rc == CF_OK; i++)
		if (plan->changes[i].kind->preflight)
			rc = plan->changes[i].kind->preflight(ctx, &plan->changes[i], err);
	for (size_t i = 0; i < plan->count && rc == CF_OK; i++) {
		const cf_change *ch = &plan->changes[i];
		if (stopped(ctx)) {
			res->interrupted = true;
			rc = cf_error_set(err, CF_EINTERRUPTED, "interrupted: %zu of %zu change%s not started",
					  plan->count - i, plan->count, plan->count == 1 ? "" : "s");
			break;
		}
		ctx->current = ch;
		cf_apply_note(ctx, ch, "start");
		rc = ch->kind->apply(ctx, ch, err);
		res->states[i] = rc == CF_OK ? CF_APPLIED : CF_FAILED;
		const char *id = id_after(ctx, ch);
		res->ids[i] = id ? cf_xstrdup(id) : NULL;
		if (rc == CF_OK) {
			res->applied++;
			cf_apply_note(ctx, ch, "done");
		} else {
			res->failed++;
			res->errors[i] = cf_xstrdup(err && err->message ? err->message : "failed");
		}
	}
	ctx->current = NULL;
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
