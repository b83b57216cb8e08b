/*
 * ciform apply: plan, confirm, carry it out. With --plan FILE, the saved
 * plan is made again from the same specs and options, and refused when the
 * specs or the live state moved since. Without --yes it asks on a terminal
 * and refuses anywhere else.
 */
#include "cmd/cli.h"
#include "cmd/plan_args.h"
#include "reconciler/apply.h"
#include "reconciler/plan_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char help[] =
	"usage: ciform apply [PATH...] [options] [--yes]\n"
	"       ciform apply --plan FILE [--yes]\n\n"
	"Plans, asks for confirmation, then makes the organisation match the specs.\n\n"
	"  --yes                         do not ask (required when stdin is not a terminal)\n"
	"  --plan FILE                   apply a plan saved by 'ciform plan --out FILE'; refused\n"
	"                                when the specs or the live state changed since\n"
	"  --prune                       delete live resources in scope that no spec names\n"
	"  --target ADDRESS              only this resource (repeatable)\n"
	"  --parallelism N               reads in flight at once (default 8)\n"
	"  --wait-timeout SECONDS        for SYNCING targets and busy agents (default 180)\n"
	"  --registration-token-dir DIR  where new agent types' tokens go\n"
	"                                (default $XDG_STATE_HOME/ciform/registration-tokens,\n"
	"                                else ~/.local/state/ciform/registration-tokens)\n"
	"  --no-color, --org-url URL, --token-file FILE, --context NAME, --git-ref REF,\n"
	"  --repo DIR, --request-timeout SECONDS, --max-answer-mb N, --max-requests N: as for plan\n";

static bool confirmed(void)
{
	if (!isatty(0))
		return false;
	fputs("\nApply these changes? Only 'yes' goes ahead: ", stdout);
	fflush(stdout);
	char line[64] = "";
	return fgets(line, sizeof(line), stdin) && strcmp(line, "yes\n") == 0;
}

static void report(const cf_plan *plan, const cf_apply_result *res)
{
	static const char *const titles[] = {"Not applied", "Applied", "Failed"};
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

static int carry_out(cf_session *s, plan_args *a)
{
	cf_apply_opts opts = {.token_dir = a->token_dir, .wait_timeout_ms = a->wait_timeout_ms,
			      .progress = cli_apply_progress};
	cf_apply_ctx ctx = {.client = s->client, .live = s->live, .opts = &opts};
	cf_apply_result res;
	cf_error err = {0};
	int rc = cf_apply_run(&res, s->plan, &ctx, &err);
	if (rc == CF_OK) {
		printf("\nApply complete: %zu change%s applied.\n", res.applied, res.applied == 1 ? "" : "s");
	} else {
		cli_error("%s", err.message ? err.message : "apply failed");
		report(s->plan, &res);
	}
	cf_apply_result_clear(&res);
	cf_error_clear(&err);
	return rc == CF_OK ? EXIT_OK : EXIT_ERROR;
}

int cmd_apply(int argc, char **argv)
{
	plan_args a;
	cf_saved_plan saved = {0};
	int rc = plan_args_parse(&a, argc, argv, "apply", help);
	if (rc < 0 && a.plan_file)
		rc = use_saved(&a, &saved);
	cf_session *s = rc < 0 ? plan_args_session(&a) : NULL;
	if (rc < 0 && !s)
		rc = EXIT_ERROR;
	if (rc < 0 && a.plan_file) {
		cf_error err = {0};
		if (cf_plan_file_check(&saved, s->plan, s->cfg.base_url, &err) != CF_OK)
			rc = cli_error("%s", err.message);
		cf_error_clear(&err);
	}
	if (rc < 0) {
		cf_render_opts ro = {.color = plan_args_color(&a)};
		char *text = cf_render_text(s->plan, &ro);
		fputs(text, stdout);
		free(text);
		if (!cf_plan_has_changes(s->plan))
			rc = EXIT_OK;
		else if (!a.yes && !confirmed())
			rc = cli_error(isatty(0) ? "apply cancelled: nothing was changed"
						 : "refusing to apply without --yes: standard input is not a terminal");
		else
			rc = carry_out(s, &a);
	}
	cf_session_free(s);
	cf_saved_plan_clear(&saved);
	plan_args_free(&a);
	return rc;
}
