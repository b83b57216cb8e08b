/*
 * ciform plan and ciform drift: read live state and print what apply would
 * do. drift is a plan whose exit code says whether there is drift.
 */
#include "cmd/cli.h"
#include "cmd/plan_args.h"
#include "reconciler/plan_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COMMON_OPTIONS                                                                          \
	"  --format text|json|markdown   how to print the plan (default text)\n"                     \
	"  --prune                       delete live resources in scope that no spec names\n"        \
	"  --target ADDRESS              only this resource (repeatable), e.g. DeploymentTarget/web/prod;\n" \
	"                                one that names no spec and no live resource is an error\n"  \
	"  --allow-empty                 accept a PATH that holds no manifest (else an error)\n"     \
	"  --parallelism N               reads in flight at once (default 8)\n"                      \
	"  --no-color                    no colour (also NO_COLOR=1, TERM=dumb)\n"                    \
	"  --debug                       each request's method, path and status on stderr\n"        \
	"  --org-url URL                 the organisation (default SEMAPHORE_ORG_URL, or ~/.sem.yaml)\n" \
	"  --token-file FILE             the API token (default SEMAPHORE_API_TOKEN, or ~/.sem.yaml)\n" \
	"  --context NAME                the ~/.sem.yaml context to use (default its active one)\n"     \
	"  --git-ref REF                 read the specs from this commit of the repository holding\n" \
	"                                PATH (branch, tag, SHA, HEAD~1), not from the work tree\n"   \
	"  --repo DIR                    the repository for --git-ref (PATHs then relative to it)\n" \
	"  --request-timeout SECONDS     one request, answer included (default 60)\n"               \
	"  --max-answer-mb N             refuse an answer larger than this (default 32)\n"          \
	"  --max-requests N              requests in this run, retries included (default 100000)\n" \
	"  --registration-token-dir DIR  where registration tokens are kept, to see lost ones\n"   \
	"                                (default $XDG_STATE_HOME/ciform/registration-tokens)\n"   \
	"  --circleci-host URL           CircleCI's host (default CIRCLECI_HOST; docs/circleci.md)\n" \
	"  --circleci-runner-host URL    CircleCI's runner API (default CIRCLECI_RUNNER_HOST)\n"     \
	"  --circleci-token-file FILE, --buildkite-token-file FILE\n"                                 \
	"                                that vendor's token (--token-file: the first vendor's)\n"    \
	"  --rewrite-write-only          CircleCI: rewrite values the API cannot show\n"              \
	"  --org SLUG, --api-url URL     Buildkite's organisation and API (docs/buildkite.md)\n"

static const char plan_help[] =
	"usage: ciform plan [PATH...] [options]\n\n"
	"Reads the specs and the live organisation, and prints what apply would do.\n\n"
	COMMON_OPTIONS
	"  --out FILE                    save the plan for 'ciform apply --plan FILE'\n"
	"  --detailed-exitcode           exit 2 when there are changes (0: none, 1: error)\n";

static const char drift_help[] =
	"usage: ciform drift [PATH...] [options]\n\n"
	"A plan for scheduled checks: exit 0 when the organisation matches the specs,\n"
	"2 when it drifted (the plan says how), 1 on any error.\n\n" COMMON_OPTIONS;

static char *render(const cf_plan *plan, const plan_args *a, const char *git_commit)
{
	cf_render_opts ro = {.color = plan_args_color(a), .paths = a->session.paths, .npaths = a->session.npaths,
			     .git_commit = git_commit};
	if (!strcmp(a->format, "json"))
		return cf_render_json(plan, &ro);
	if (!strcmp(a->format, "markdown"))
		return cf_render_markdown(plan, &ro);
	return cf_render_text(plan, &ro);
}

static int run(int argc, char **argv, const char *verb, const char *help, bool drift)
{
	plan_args a;
	int rc = plan_args_parse(&a, argc, argv, verb, help);
	if (rc >= 0) {
		plan_args_free(&a);
		return rc;
	}
	cf_session *s = plan_args_session(&a);
	if (!s) {
		plan_args_free(&a);
		return EXIT_ERROR;
	}
	char *out = render(s->plan, &a, s->src->git_commit);
	fputs(out, stdout);
	free(out);
	rc = (drift || a.detailed_exitcode) && cf_plan_has_changes(s->plan) ? EXIT_CHANGES : EXIT_OK;
	if (a.out) {
		cf_error err = {0};
		cf_render_opts ro = {.paths = a.session.paths, .npaths = a.session.npaths,
				     .git_commit = s->src->git_commit};
		char *orgs = cf_session_orgs(s);
		int written = cf_plan_file_write(a.out, s->plan, &ro, &a.session.plan, a.session.repo, orgs, &err);
		free(orgs);
		if (written != CF_OK)
			rc = cli_error("%s", err.message);
		cf_error_clear(&err);
	}
	cf_session_free(s);
	plan_args_free(&a);
	return rc;
}

int cmd_plan(int argc, char **argv)
{
	return run(argc, argv, "plan", plan_help, false);
}

int cmd_drift(int argc, char **argv)
{
	return run(argc, argv, "drift", drift_help, true);
}
