/*
 * ciform apply: plan, confirm, carry it out. With --plan FILE, the saved
 * plan is made again from the same specs and options, and refused when the
 * specs or the live state moved since. Without --yes it asks on a terminal,
 * naming the organisation (several sem contexts make that a real question),
 * and refuses anywhere else.
 *
 * An apply is a sequence of API calls that must not be cut in the middle:
 * the first SIGINT or SIGTERM lets the change in flight finish, starts no
 * other, prints what was and was not done and exits 128 + the signal; a
 * second one ends the process at once. With --format json, stdout holds only
 * the result (render_apply.h); everything for people goes to stderr.
 */
#include "cmd/cli.h"
#include "cmd/plan_args.h"
#include "reconciler/apply.h"
#include "reconciler/plan_file.h"
#include "reconciler/render_apply.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char help[] =
	"usage: ciform apply [PATH...] [options] [--yes]\n"
	"       ciform apply --plan FILE [--yes]\n\n"
	"Plans, asks for confirmation, then makes the organisation match the specs.\n"
	"A first SIGINT (Ctrl-C) or SIGTERM finishes the change in flight, starts no\n"
	"other, lists what was applied and what was not, and exits 130 (SIGINT) or\n"
	"143 (SIGTERM); a second one stops at once.\n\n"
	"  --yes                         do not ask (required when stdin is not a terminal)\n"
	"  --plan FILE                   apply a plan saved by 'ciform plan --out FILE'; refused\n"
	"                                when the specs or the live state changed since\n"
	"  --format text|json            json: the result as one JSON object on stdout, the\n"
	"                                plan and progress on stderr (default text)\n"
	"  --prune                       delete live resources in scope that no spec names\n"
	"  --target ADDRESS              only this resource (repeatable); one that names no\n"
	"                                spec and no live resource is an error\n"
	"  --allow-empty                 accept a PATH that holds no manifest\n"
	"  --replace-secrets             carry out replacements: a secret whose values the server\n"
	"                                hides can only change by a delete and a create (a new\n"
	"                                id; jobs that start in between miss it); without this\n"
	"                                option a plan with one is refused, nothing changed\n"
	"  --parallelism N               reads in flight, and changes of one phase applied, at\n"
	"                                once (default 8; 1: one change at a time)\n"
	"  --wait-timeout SECONDS        for SYNCING targets and busy agents (default 180)\n"
	"  --registration-token-dir DIR  where new agent types' tokens go\n"
	"                                (default $XDG_STATE_HOME/ciform/registration-tokens,\n"
	"                                else ~/.local/state/ciform/registration-tokens)\n"
	"  --debug                       each request's method, path and status on stderr\n"
	"  --no-color, --org-url URL, --token-file FILE, --context NAME, --git-ref REF,\n"
	"  --repo DIR, --request-timeout SECONDS, --max-answer-mb N, --max-requests N,\n"
	"  --circleci-host URL, --circleci-runner-host URL, --circleci-token-file FILE,\n"
	"  --buildkite-token-file FILE, --rewrite-write-only, --org SLUG,\n"
	"  --api-url URL: as for plan\n";

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	if (stop_signal) { /* the second: the user means it */
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	stop_signal = sig;
	static const char msg[] = "\nciform: interrupted: finishing the change in flight, starting no other "
				  "(interrupt again to stop at once)\n";
	ssize_t w = write(2, msg, sizeof(msg) - 1);
	(void)w;
}

static void catch_signals(bool on)
{
	struct sigaction sa = {.sa_handler = on ? on_signal : SIG_DFL};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* "3 changes (1 create, 2 update)" */
static char *counts_text(const cf_plan *plan)
{
	char parts[256] = "";
	size_t len = 0;
	for (int a = 0; a < CF_NACTIONS; a++)
		if (plan->counts[a])
			len += (size_t)snprintf(parts + len, sizeof(parts) - len, "%s%zu %s", len ? ", " : "",
						plan->counts[a], cf_action_names[a]);
	return cf_xasprintf("%zu change%s (%s)", plan->count, plan->count == 1 ? "" : "s", parts);
}

static bool confirmed(const cf_session *s, FILE *to)
{
	if (!isatty(0))
		return false;
	char *counts = counts_text(s->plan), *org = cf_session_where(s);
	fprintf(to, "\nApply %s to %s? Only 'yes' goes ahead: ", counts, org);
	fflush(to);
	free(counts);
	free(org);
	char line[64] = "";
	return fgets(line, sizeof(line), stdin) && strcmp(line, "yes\n") == 0;
}

static void report(const cf_plan *plan, const cf_apply_result *res)
{
	static const char *const titles[] = {
		[CF_NOT_STARTED] = "Not applied", [CF_APPLIED] = "Applied", [CF_FAILED] = "Failed"};
	static const cf_change_state order[] = {CF_APPLIED, CF_FAILED, CF_NOT_STARTED};
	for (size_t k = 0; k < 3; k++) {
		size_t n = 0;
		for (size_t i = 0; i < res->count; i++)
			n += res->states[i] == order[k];
		if (!n)
			continue;
		fprintf(stderr, "%s (%zu):\n", titles[order[k]], n);
		for (size_t i = 0; i < res->count; i++)
			if (res->states[i] == order[k])
				fprintf(stderr, "  %s (%s)\n", plan->changes[i].address,
					cf_action_names[plan->changes[i].action]);
	}
}

/* With --plan: the saved options replace the command line's. */
static int use_saved(plan_args *a, cf_saved_plan *saved)
{
	if (a->session.npaths)
		return cli_usage_error("apply", "give PATHs or --plan FILE, not both");
	cf_error err = {0};
	if (cf_plan_file_read(saved, a->plan_file, &err) != CF_OK) {
		int rc = cli_error("%s", err.message);
		cf_error_clear(&err);
		return rc;
	}
	a->session.paths = (const char *const *)saved->paths;
	a->session.npaths = saved->npaths;
	a->session.plan.prune = saved->prune;
	a->session.plan.targets = (const char *const *)saved->targets;
	a->session.git_ref = saved->git_commit; /* the same commit, wherever its branch went since */
	a->session.repo = saved->repo;
	return -1;
}

static int carry_out(cf_session *s, plan_args *a, bool json, FILE *human)
{
	cf_apply_opts opts = {.token_dir = a->token_dir, .wait_timeout_ms = a->wait_timeout_ms,
			      .progress = cli_apply_progress, .ud = human, .stop = &stop_signal,
			      .parallelism = s->parallelism, .allow_replace = a->replace_secrets,
			      .trace = a->session.trace, .trace_ud = a->session.trace_ud};
	cf_apply_ctx ctx = {.conns = s->conns, .live = s->live, .opts = &opts};
	cf_apply_result res;
	cf_error err = {0};
	stop_signal = 0;
	catch_signals(true);
	int rc = cf_apply_run(&res, s->plan, &ctx, &err);
	catch_signals(false);
	int sig = stop_signal;
	if (json) {
		char *out = cf_render_apply_json(s->plan, &res, rc == CF_OK ? NULL : err.message);
		fputs(out, stdout);
		free(out);
	}
	if (rc == CF_OK && !sig) {
		fprintf(human, "\nApply complete: %zu change%s applied.\n", res.applied, res.applied == 1 ? "" : "s");
	} else {
		if (rc == CF_OK)
			cli_error("interrupted by %s after the last change: every change was applied",
				  sig == SIGINT ? "SIGINT" : "SIGTERM");
		else if (sig && rc == CF_EINTERRUPTED)
			cli_error("interrupted by %s: %zu of %zu change%s not started", sig == SIGINT ? "SIGINT" : "SIGTERM",
				  res.count - res.applied - res.failed, res.count, res.count == 1 ? "" : "s");
		else if (rc == CF_EUSAGE && s->plan->replacements && !a->replace_secrets)
			cli_error("%s (allow it with --replace-secrets)", err.message);
		else
			cli_error("%s", err.message ? err.message : "apply failed");
		report(s->plan, &res);
	}
	cf_apply_result_clear(&res);
	cf_error_clear(&err);
	return sig ? 128 + sig : rc == CF_OK ? EXIT_OK : EXIT_ERROR;
}

int cmd_apply(int argc, char **argv)
{
	plan_args a;
	cf_saved_plan saved = {0};
	int rc = plan_args_parse(&a, argc, argv, "apply", help);
	if (rc < 0 && !strcmp(a.format, "markdown"))
		rc = cli_usage_error("apply", "--format must be text or json, not 'markdown'");
	bool json = rc < 0 && !strcmp(a.format, "json");
	FILE *human = json ? stderr : stdout;
	if (rc < 0 && a.plan_file)
		rc = use_saved(&a, &saved);
	cf_session *s = rc < 0 ? plan_args_session(&a) : NULL;
	if (rc < 0 && !s)
		rc = EXIT_ERROR;
	if (rc < 0 && a.plan_file) {
		cf_error err = {0};
		char *orgs = cf_session_orgs(s);
		if (cf_plan_file_check(&saved, s->plan, orgs, &err) != CF_OK)
			rc = cli_error("%s", err.message);
		free(orgs);
		cf_error_clear(&err);
	}
	if (rc < 0) {
		cf_render_opts ro = {.color = !json && plan_args_color(&a)};
		char *text = cf_render_text(s->plan, &ro);
		fputs(text, human);
		free(text);
		if (!cf_plan_has_changes(s->plan)) {
			rc = EXIT_OK;
			if (json) {
				char *out = cf_render_apply_json(s->plan, NULL, NULL);
				fputs(out, stdout);
				free(out);
			}
		} else if (!a.yes && !confirmed(s, human)) {
			rc = cli_error(isatty(0) ? "apply cancelled: nothing was changed"
						 : "refusing to apply without --yes: standard input is not a terminal");
		} else {
			rc = carry_out(s, &a, json, human);
		}
	}
	cf_session_free(s);
	cf_saved_plan_clear(&saved);
	plan_args_free(&a);
	return rc;
}
