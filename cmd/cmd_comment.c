/*
 * ciform comment: the plan as a comment on a pull or merge request, one per
 * specs path, edited in place on every push rather than added again. A plan
 * that fails is posted too, so the request shows why instead of an old plan.
 */
#include "cmd/cli.h"
#include "cmd/plan_args.h"
#include "reconciler/comment.h"
#include "reconciler/render.h"
#include "reconciler/render_diags.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
	"usage: ciform comment [PATH...] [options] (--github OWNER/REPO --pr N | --gitlab PROJECT --mr N)\n\n"
	"Plans as 'ciform plan' does and posts the Markdown plan on the pull or merge\n"
	"request, or edits the comment ciform posted there before for the same PATHs.\n"
	"A plan that fails (spec or API error) is posted as such, and the exit code is 1.\n\n"
	"  --github OWNER/REPO           the repository; token from GITHUB_TOKEN, API at\n"
	"                                GITHUB_API_URL (default https://api.github.com)\n"
	"  --pr N                        the pull request's number\n"
	"  --gitlab PROJECT              the project's id or path (group/name); token from\n"
	"                                GITLAB_TOKEN, API at CI_API_V4_URL\n"
	"                                (default https://gitlab.com/api/v4)\n"
	"  --mr N                        the merge request's number (its iid)\n"
	"  --git-ref REF                 plan the specs of this commit (the comment names it;\n"
	"                                without it: GITHUB_SHA, CI_COMMIT_SHA or HEAD)\n"
	"  --repo DIR                    the repository for --git-ref (PATHs then relative to it)\n"
	"  --prune, --target ADDRESS, --parallelism N, --org-url URL, --token-file FILE,\n"
	"  --context NAME, --request-timeout SECONDS, --max-answer-mb N, --max-requests N,\n"
	"  --registration-token-dir DIR  as for 'ciform plan'\n"
	"  --detailed-exitcode           exit 2 when the plan has changes\n";

typedef struct host_args {
	const char *github, *gitlab, *pr, *mr;
} host_args;

static int target_from(cf_comment_target *t, const host_args *h)
{
	if (!!h->github == !!h->gitlab)
		return cli_usage_error("comment", "give one of --github OWNER/REPO and --gitlab PROJECT");
	if (h->github ? !h->pr || h->mr : !h->mr || h->pr)
		return cli_usage_error("comment", "%s", h->github ? "--github goes with --pr N" : "--gitlab goes with --mr N");
	const char *num = h->github ? h->pr : h->mr;
	char *end;
	long n = strtol(num, &end, 10);
	if (*end || n < 1)
		return cli_usage_error("comment", "%s takes a positive number, not '%s'", h->github ? "--pr" : "--mr", num);
	*t = (cf_comment_target){.kind = h->github ? CF_HOST_GITHUB : CF_HOST_GITLAB,
				 .repo = h->github ? h->github : h->gitlab, .number = n};
	return -1;
}

static char *joined(const char *const *paths, size_t n)
{
	char *s = cf_xstrdup(n ? "" : ".");
	for (size_t i = 0; i < n; i++) {
		char *next = cf_xasprintf("%s%s%s", s, i ? " " : "", paths[i]);
		free(s);
		s = next;
	}
	return s;
}

/* Plans; on failure, reports as plan does and returns the text to post. */
static cf_session *plan(plan_args *a, char **failure)
{
	cf_diags diags = {0};
	cf_error err = {0};
	cf_session *s = NULL;
	*failure = NULL;
	int rc = cf_session_plan(&s, &a->session, &diags, &err);
	if (rc == CF_EINVALID) {
		char *text = cf_render_diags_text(&diags);
		*failure = cf_xasprintf("%s%zu problem%s in the specs\n", text, diags.count, diags.count == 1 ? "" : "s");
		fputs(text, stderr);
		cli_error("%zu problem%s in the specs", diags.count, diags.count == 1 ? "" : "s");
		free(text);
	} else if (rc != CF_OK) {
		*failure = cf_xasprintf("%s\n", err.message ? err.message : "failed");
		cli_error("%s", err.message ? err.message : "failed");
	}
	cf_diags_free(&diags);
	cf_error_clear(&err);
	return s;
}

static int post(cf_code_host *host, const char *marker, const char *body)
{
	cf_comment_result r = {0};
	cf_error err = {0};
	int rc = cf_comment_upsert(&r, host, marker, body, &err);
	if (rc == CF_OK)
		printf("%s comment %s on %s%s%s\n", r.created ? "Created" : "Updated", r.id, cf_code_host_describe(host),
		       r.url ? ": " : "", r.url ? r.url : "");
	else
		cli_error("the comment could not be posted: %s", err.message);
	cf_comment_result_clear(&r);
	cf_error_clear(&err);
	return rc == CF_OK ? EXIT_OK : EXIT_ERROR;
}

int cmd_comment(int argc, char **argv)
{
	host_args h = {0};
	const opt mine[] = {
		{.name = "github", .type = OPT_STRING, .to = &h.github},
		{.name = "gitlab", .type = OPT_STRING, .to = &h.gitlab},
		{.name = "pr", .type = OPT_STRING, .to = &h.pr},
		{.name = "mr", .type = OPT_STRING, .to = &h.mr},
		OPT_END,
	};
	plan_args a;
	int rc = plan_args_parse_with(&a, argc, argv, "comment", help, mine);
	cf_comment_target t;
	if (rc < 0 && (a.out || a.plan_file || a.yes || strcmp(a.format, "text")))
		rc = cli_usage_error("comment", "comment takes no --out, --plan, --yes or --format: it posts the Markdown plan");
	if (rc < 0)
		rc = target_from(&t, &h);
	cf_code_host *host = NULL;
	if (rc < 0) {
		cf_error err = {0};
		if (cf_code_host_open(&host, &t, &err) != CF_OK)
			rc = cli_error("%s", err.message);
		cf_error_clear(&err);
	}
	if (rc >= 0) {
		plan_args_free(&a);
		return rc;
	}
	char *failure = NULL;
	cf_session *s = plan(&a, &failure);
	char *commit = s && s->src->git_commit ? cf_xstrdup(s->src->git_commit) : NULL;
	if (!commit) {
		const char *sha = getenv("GITHUB_SHA");
		cf_comment_commit(&commit, a.session.git_ref, a.session.repo,
				  a.session.npaths ? a.session.paths[0] : NULL, sha && *sha ? sha : getenv("CI_COMMIT_SHA"));
	}
	char *marker = cf_comment_marker(a.session.paths, a.session.npaths);
	char *paths = joined(a.session.paths, a.session.npaths);
	char *body;
	if (s) {
		cf_render_opts ro = {.paths = a.session.paths, .npaths = a.session.npaths, .git_commit = commit};
		char *md = cf_render_markdown(s->plan, &ro);
		body = cf_comment_plan_body(marker, md, paths, commit);
		free(md);
	} else {
		body = cf_comment_error_body(marker, failure, paths, commit);
	}
	rc = post(host, marker, body);
	if (s && rc == EXIT_OK && a.detailed_exitcode && cf_plan_has_changes(s->plan))
		rc = EXIT_CHANGES;
	if (!s)
		rc = EXIT_ERROR;
	free(body);
	free(paths);
	free(marker);
	free(commit);
	free(failure);
	cf_session_free(s);
	cf_code_host_free(host);
	plan_args_free(&a);
	return rc;
}
