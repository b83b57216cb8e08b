/*
 * ciform reconcile: the GitOps loop. Every --interval seconds, a cycle
 * (fetch, plan, report or apply, status file). A failed cycle is reported
 * and the loop goes on. SIGTERM or SIGINT lets the current step finish, then
 * exits 0. --once runs one cycle and exits with plan's codes (0, 2, or 1).
 */
#include "cmd/cli.h"
#include "reconciler/reconcile.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char help[] =
	"usage: ciform reconcile --git-url URL [--git-ref REF] [--path DIR] [--interval SECONDS]\n"
	"                        [--once] [--apply] [--prune] [--status-file FILE] [--cache-dir DIR]\n\n"
	"Keeps the organisation following a git repository: fetches it, plans, and reports\n"
	"drift or, with --apply, applies; again every --interval seconds.\n\n"
	"  --git-url URL        file:// or https:// repository (cloned once into the cache)\n"
	"  --git-ref REF        branch, tag or commit (default: the remote's default branch)\n"
	"  --path DIR           the specs' directory inside the repository (default: its root)\n"
	"  --interval SECONDS   time between cycles (default 300; 0: the next cycle at once)\n"
	"  --once               one cycle; exit 0 no changes (or applied), 2 drift, 1 error\n"
	"  --apply              apply the plan (without: report only)\n"
	"  --prune              delete unmanaged resources in scope\n"
	"  --status-file FILE   JSON written after every cycle: commit, time, summary, result, error\n"
	"  --cache-dir DIR      default $XDG_CACHE_HOME/ciform (or ~/.cache/ciform)\n"
	"  --parallelism N, --wait-timeout SECONDS, --registration-token-dir DIR,\n"
	"  --org-url URL, --token-file FILE, --context NAME: as for plan and apply\n";

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void print_report(void *ud, const char *text)
{
	(void)ud;
	fputs(text, stdout);
	fflush(stdout);
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

static int parse(cf_reconcile_opts *o, long *interval, bool *once, int argc, char **argv)
{
	static const struct option opts[] = {
		{"git-url", required_argument, NULL, 'u'}, {"git-ref", required_argument, NULL, 'r'},
		{"path", required_argument, NULL, 'p'},    {"interval", required_argument, NULL, 'i'},
		{"once", no_argument, NULL, 'o'},          {"apply", no_argument, NULL, 'a'},
		{"prune", no_argument, NULL, 'P'},         {"status-file", required_argument, NULL, 's'},
		{"cache-dir", required_argument, NULL, 'c'}, {"parallelism", required_argument, NULL, 'n'},
		{"wait-timeout", required_argument, NULL, 'w'},
		{"registration-token-dir", required_argument, NULL, 't'},
		{"org-url", required_argument, NULL, 'U'}, {"token-file", required_argument, NULL, 'T'},
		{"context", required_argument, NULL, 'C'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	char *end;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'u': o->git_url = optarg; break;
		case 'r': o->git_ref = optarg; break;
		case 'p': o->path = optarg; break;
		case 'o': *once = true; break;
		case 'a': o->apply = true; break;
		case 'P': o->prune = true; break;
		case 's': o->status_file = optarg; break;
		case 'c': o->cache_dir = optarg; break;
		case 't': o->apply_opts.token_dir = optarg; break;
		case 'U': o->conn.org_url = optarg; break;
		case 'T': o->conn.token_file = optarg; break;
		case 'C': o->conn.context = optarg; break;
		case 'i':
			*interval = strtol(optarg, &end, 10);
			if (*end || !*optarg || *interval < 0)
				return cli_usage_error("reconcile", "--interval takes whole seconds, not '%s'", optarg);
			break;
		case 'n':
			o->parallelism = (int)strtol(optarg, &end, 10);
			if (*end || o->parallelism < 1 || o->parallelism > 64)
				return cli_usage_error("reconcile", "--parallelism takes 1 to 64, not '%s'", optarg);
			break;
		case 'w':
			o->apply_opts.wait_timeout_ms = strtol(optarg, &end, 10) * 1000;
			if (*end || o->apply_opts.wait_timeout_ms < 1000)
				return cli_usage_error("reconcile", "--wait-timeout takes whole seconds, not '%s'", optarg);
			break;
		case 'h': fputs(help, stdout); return EXIT_OK;
		default: return cli_usage_error("reconcile", "invalid option");
		}
	}
	if (!o->git_url || optind < argc)
		return cli_usage_error("reconcile", "--git-url URL is required");
	return -1;
}

int cmd_reconcile(int argc, char **argv)
{
	cf_reconcile_opts o = {.report = print_report, .stop = &stop};
	o.apply_opts.progress = cli_apply_progress;
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
	for (;;) {
		cf_cycle cycle;
		cf_reconcile_cycle(&cycle, &o);
		fprintf(stderr, "ciform reconcile: commit %.12s: %s%s%s\n", *cycle.commit ? cycle.commit : "(none)",
			cf_cycle_result_names[cycle.result], cycle.error ? ": " : "", cycle.error ? cycle.error : "");
		cf_cycle_result result = cycle.result;
		cf_cycle_clear(&cycle);
		if (once) {
			rc = result == CF_CYCLE_ERROR ? EXIT_ERROR : result == CF_CYCLE_DRIFT ? EXIT_CHANGES : EXIT_OK;
			break;
		}
		if (!stop)
			sleep_interruptibly(interval);
		if (stop) {
			fputs("ciform reconcile: stopping on a signal\n", stderr);
			rc = EXIT_OK;
			break;
		}
	}
	free(cache);
	return rc;
}
