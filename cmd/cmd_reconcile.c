/*
 * ciform reconcile: the GitOps loop. Every --interval seconds, a cycle
 * (fetch, plan, report or apply, status file). A failed cycle is reported
 * and the loop goes on. SIGTERM or SIGINT lets the current step finish, then
 * exits 0. --once runs one cycle and exits with plan's codes (0, 2, or 1).
 *
 * It runs as a service, so its output is a log: every line starts with the
 * UTC time, each cycle ends with one summary line, and the plan is printed
 * only when it differs from the previous cycle's (or with --verbose), so a
 * log of months stays readable. A failed cycle's lines go to stderr.
 */
#include "cmd/cli.h"
#include "cmd/options.h"
#include "reconciler/gitauth.h"
#include "reconciler/reconcile.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char help[] =
	"usage: ciform reconcile --git-url URL [--git-ref REF] [--path DIR] [--interval SECONDS]\n"
	"                        [--once] [--apply] [--prune] [--status-file FILE] [--cache-dir DIR]\n"
	"                        [--verbose]\n\n"
	"Keeps the organisation following a git repository: fetches it, plans, and reports\n"
	"drift or, with --apply, applies; again every --interval seconds. Every line printed\n"
	"starts with the UTC time; each cycle ends with one summary line.\n\n"
	"  --git-url URL        https://, file:// or a local path (http:// only to a loopback\n"
	"                       host); never with a user or password in it (see below)\n"
	"  --git-ref REF        branch, tag or commit (default: the remote's default branch)\n"
	"  --path DIR           the specs' directory inside the repository (default: its root)\n"
	"  --interval SECONDS   time between cycles (default 300; 0: the next cycle at once)\n"
	"  --once               one cycle; exit 0 no changes (or applied), 2 drift, 1 error\n"
	"  --apply              apply the plan (without: report only)\n"
	"  --prune              delete unmanaged resources in scope\n"
	"  --status-file FILE   JSON written after every cycle: commit, time, summary, result, error\n"
	"  --cache-dir DIR      default $XDG_CACHE_HOME/ciform (or ~/.cache/ciform)\n"
	"  --verbose            print the plan every cycle (default: only when it changed)\n"
	"  --parallelism N, --wait-timeout SECONDS, --registration-token-dir DIR,\n"
	"  --replace-secrets, --org-url URL, --token-file FILE, --context NAME,\n"
	"  --circleci-host URL, --circleci-runner-host URL, --circleci-token-file FILE,\n"
	"  --buildkite-token-file FILE, --rewrite-write-only, --org SLUG,\n"
	"  --api-url URL: as for plan\n"
	"                       and apply\n\n"
	"A private repository's credentials, kept in memory only:\n"
	"  CIFORM_GIT_TOKEN     HTTP password (user CIFORM_GIT_USER, default x-access-token)\n"
	"  CIFORM_GIT_ASKPASS   else (or GIT_ASKPASS) a program asked for user and password\n";

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Each line of text, the current UTC time before it. */
static void log_text(FILE *f, const char *text)
{
	char now[32];
	time_t t = time(NULL);
	struct tm tm;
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
	for (const char *line = text; *line;) {
		size_t n = strcspn(line, "\n");
		fprintf(f, "%s%s%.*s\n", now, n ? " " : "", (int)n, line);
		line += n + (line[n] == '\n');
	}
	fflush(f);
}

static void log_line(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void log_line(FILE *f, const char *fmt, ...)
{
	va_list ap, again;
	va_start(ap, fmt);
	va_copy(again, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	char *text = cf_xmalloc((size_t)(n > 0 ? n : 0) + 1);
	vsnprintf(text, (size_t)(n > 0 ? n : 0) + 1, fmt, again);
	va_end(again);
	va_end(ap);
	log_text(f, text);
	free(text);
}

static void print_report(void *ud, const char *text)
{
	(void)ud;
	log_text(stdout, text);
}

/* As cli_apply_progress, in the log's shape. */
static void print_progress(void *ud, const cf_change *ch, const char *what)
{
	(void)ud;
	if (!strcmp(what, "start") || !strcmp(what, "done"))
		log_line(stdout, "%s: %s%s", ch->address, cf_action_names[ch->action],
			 !strcmp(what, "start") ? "..." : " done");
	else
		log_line(stdout, "%s: %s", ch->address, what);
}

/* "cycle 12 commit abc1234: 2 to create, 1 to update (applied)". */
static void print_summary(unsigned long n, const cf_cycle *c, const cf_reconcile_opts *o)
{
	char *head = *c->commit ? cf_xasprintf("cycle %lu commit %.7s", n, c->commit) : cf_xasprintf("cycle %lu", n);
	if (c->result == CF_CYCLE_ERROR) {
		log_line(stderr, "%s: failed: %s", head, c->error ? c->error : "unknown error");
	} else if (c->result == CF_CYCLE_UNCHANGED) {
		log_line(stdout, "%s: no changes", head);
	} else {
		char counts[256] = "";
		for (int a = 0; a < CF_NACTIONS; a++)
			if (c->counts[a])
				snprintf(counts + strlen(counts), sizeof(counts) - strlen(counts), "%s%zu to %s",
					 *counts ? ", " : "", c->counts[a], cf_action_names[a]);
		const char *how = c->result == CF_CYCLE_APPLIED ? "applied"
				  : o->apply              ? "not applied: stopping on a signal"
							  : "drift, not applied";
		log_line(stdout, "%s: %s (%s)", head, *counts ? counts : "changes", how);
	}
	free(head);
}

static char *default_cache_dir(void)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	if (xdg && *xdg)
		return cf_xasprintf("%s/ciform", xdg);
	return cf_xasprintf("%s/.cache/ciform", home && *home ? home : ".");
}

static void sleep_interruptibly(long seconds)
{
	for (long i = 0; i < seconds * 10 && !stop; i++)
		nanosleep(&(struct timespec){0, 100000000L}, NULL);
}

static conn_flags vendor; /* lives as long as the loop */

static int parse(cf_reconcile_opts *o, long *interval, bool *once, int argc, char **argv)
{
	long parallelism = 0, wait_s = 0;
	opt opts[] = {
		{.name = "git-url", .type = OPT_STRING, .to = &o->git_url},
		{.name = "git-ref", .type = OPT_STRING, .to = &o->git_ref},
		{.name = "path", .type = OPT_STRING, .to = &o->path},
		{.name = "interval", .type = OPT_NUMBER, .to = interval, .min = 0, .max = 31536000, .unit = "seconds"},
		{.name = "once", .type = OPT_FLAG, .to = once},
		{.name = "apply", .type = OPT_FLAG, .to = &o->apply},
		{.name = "prune", .type = OPT_FLAG, .to = &o->prune},
		{.name = "status-file", .type = OPT_STRING, .to = &o->status_file},
		{.name = "cache-dir", .type = OPT_STRING, .to = &o->cache_dir},
		{.name = "parallelism", .type = OPT_NUMBER, .to = &parallelism, .min = 1, .max = 64, .unit = "a number"},
		{.name = "wait-timeout", .type = OPT_NUMBER, .to = &wait_s, .min = 1, .max = 86400, .unit = "seconds"},
		{.name = "registration-token-dir", .type = OPT_STRING, .to = &o->apply_opts.token_dir},
		{.name = "org-url", .type = OPT_STRING, .to = &o->conn.org_url},
		{.name = "token-file", .type = OPT_STRING, .to = &o->conn.token_file},
		{.name = "context", .type = OPT_STRING, .to = &o->conn.context},
		{.name = "verbose", .type = OPT_FLAG, .to = &o->report_every_plan},
		{.name = "replace-secrets", .type = OPT_FLAG, .to = &o->apply_opts.allow_replace},
		OPT_END, OPT_END, OPT_END, OPT_END, OPT_END, OPT_END, OPT_END, OPT_END,
	};
	conn_flags_opts(&vendor, opts + sizeof(opts) / sizeof(opts[0]) - 1 - CONN_FLAGS_OPTS);
	int rest;
	int rc = opt_parse("reconcile", help, opts, argc, argv, &rest);
	if (rc >= 0)
		return rc;
	vendor.token_dir = o->apply_opts.token_dir;
	o->conn.options = conn_flags_list(&vendor);
	o->parallelism = (int)parallelism;
	o->apply_opts.wait_timeout_ms = wait_s * 1000;
	if (!o->git_url || rest < argc)
		return cli_usage_error("reconcile", "--git-url URL is required");
	cf_error err = {0};
	if (cf_gitauth_check_url(o->git_url, &err) != CF_OK) {
		cli_error("%s", err.message);
		cf_error_clear(&err);
		return EXIT_ERROR;
	}
	return -1;
}

int cmd_reconcile(int argc, char **argv)
{
	cf_reconcile_opts o = {.report = print_report, .stop = &stop};
	o.apply_opts.progress = print_progress;
	long interval = 300;
	bool once = false;
	int rc = parse(&o, &interval, &once, argc, argv);
	if (rc >= 0)
		return rc;
	char *cache = o.cache_dir ? NULL : default_cache_dir();
	if (cache)
		o.cache_dir = cache;
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	char last_plan[65] = "";
	for (unsigned long n = 1;; n++) {
		cf_cycle cycle;
		o.previous_plan = *last_plan ? last_plan : NULL;
		cf_reconcile_cycle(&cycle, &o);
		print_summary(n, &cycle, &o);
		if (*cycle.plan_digest)
			memcpy(last_plan, cycle.plan_digest, sizeof(last_plan));
		cf_cycle_result result = cycle.result;
		cf_cycle_clear(&cycle);
		if (once) {
			rc = result == CF_CYCLE_ERROR ? EXIT_ERROR : result == CF_CYCLE_DRIFT ? EXIT_CHANGES : EXIT_OK;
			break;
		}
		if (!stop)
			sleep_interruptibly(interval);
		if (stop) {
			log_line(stdout, "stopping on a signal");
			rc = EXIT_OK;
			break;
		}
	}
	free(cache);
	conn_flags_free(&vendor);
	return rc;
}
