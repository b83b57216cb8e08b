/*
 * A Buildkite Pipeline's `teams` end to end: the real ciform binary against
 * `ciform-sandbox --api buildkite`: validate's checks at FILE:LINE:COLUMN,
 * the map compared whatever its order, an unknown team as a plan error at
 * its key, the exact team pipeline requests (POST, PATCH, DELETE) and the
 * create's teams {UUID: level}, convergence, drift, the read_teams and
 * write_teams scopes, export's round trip, and failing requests converging
 * without a second association.
 */
#include "tests/e2e/test_buildkite.h"
#include "reconciler/diff.h"

#define P1 "03900000-0000-4000-8000-000000000001"
#define T_PLATFORM "02900000-0000-4000-8000-000000000001"
#define T_QA "02900000-0000-4000-8000-000000000002"
#define TEAMS ", \"teams\": [{\"id\": \"" T_PLATFORM "\", \"slug\": \"platform\", \"name\": \"Platform\"}, " \
	      "{\"id\": \"" T_QA "\", \"slug\": \"qa\", \"name\": \"QA\"}]"
#define WEB_LIVE ", \"pipelines\": [{\"id\": \"" P1 "\", \"slug\": \"web-app\", \"name\": \"Web App\", " \
		 "\"repository\": \"git@github.com:acme/web.git\", \"cluster_id\": \"" CL1 "\", " \
		 "\"configuration\": \"steps:\\n  - command: make\\n\"}]"
#define ASSOC(team, level) "{\"team_id\": \"" team "\", \"pipeline_id\": \"" P1 "\", \"access_level\": \"" level "\"}"
#define LINKS(list) ", \"team_pipelines\": [" list "]"
#define CLUSTERS "{\"id\": \"" CL1 "\", \"name\": \"linux-ci\"}"
#define WEB(teams) "apiVersion: buildkite/v1\nkind: Pipeline\nmetadata: {slug: web-app}\nspec:\n" \
		   "  name: Web App\n  repository: git@github.com:acme/web.git\n  cluster: linux-ci\n" teams \
		   "  configuration: |\n    steps:\n      - command: make\n"
#define TP(team) "/v2/organizations/acme/teams/" team "/pipelines"

static void test_an_unknown_access_level_is_refused_at_its_value(void **state)
{
	(void)state;
	assert_invalid(WEB("  teams: {platform: read}\n"),
		       "p.yaml:8:21: spec.teams.platform: must be read_only, build_and_read or manage_build_and_read, "
		       "not 'read'");
}

static void test_teams_must_be_a_mapping_and_a_misspelt_key_is_unknown(void **state)
{
	(void)state;
	assert_invalid(WEB("  teams: [platform]\n"), "p.yaml:8:10: spec.teams: must be a mapping of team slug");
	assert_invalid(WEB("  team: {platform: read_only}\n"), "p.yaml:8:3: unknown key 'team'");
}

static void test_the_same_map_in_another_order_is_no_change(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(CLUSTERS, TEAMS WEB_LIVE LINKS(ASSOC(T_QA, "read_only") ", " ASSOC(T_PLATFORM, "build_and_read"))),
	      NULL);
	fx_write("p.yaml", WEB("  teams: {qa: read_only, platform: build_and_read}\n"));
	expect(&b, ARGS("drift", "p.yaml"), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_a_live_read_spelling_compares_as_read_only(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(CLUSTERS, TEAMS WEB_LIVE LINKS(ASSOC(T_QA, "read"))), NULL);
	fx_write("p.yaml", WEB("  teams: {qa: read_only}\n"));
	expect(&b, ARGS("drift", "p.yaml"), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_a_team_the_organization_lacks_is_a_plan_error_at_its_key(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(CLUSTERS, TEAMS WEB_LIVE), NULL);
	fx_write("p.yaml", WEB("  teams: {platform: read_only, ops: build_and_read}\n"));
	expect(&b, ARGS("plan", "p.yaml"), 1, NULL, "p.yaml:8:37: spec.teams.ops: the organization has no team 'ops'");
	bk_down(&b);
}

static void test_apply_adds_changes_and_removes_associations_then_converges(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(CLUSTERS, TEAMS WEB_LIVE LINKS(ASSOC(T_QA, "build_and_read"))), NULL);
	fx_write("p.yaml", WEB("  teams: {platform: manage_build_and_read, qa: read_only}\n"));
	expect(&b, ARGS("plan", "p.yaml"), 0, "      spec.teams: {\"qa\":\"build_and_read\"} -> "
	       "{\"platform\":\"manage_build_and_read\",\"qa\":\"read_only\"}\n", NULL);
	expect(&b, ARGS("apply", "--yes", "p.yaml"), 0, "Apply complete: 1 change applied.", NULL);
	expect_body("POST", TP(T_PLATFORM), "{\"pipeline_id\":\"" P1 "\",\"access_level\":\"manage_build_and_read\"}");
	expect_body("PATCH", TP(T_QA) "/" P1, "{\"access_level\":\"read_only\"}");
	expect_body("PATCH", "/v2/organizations/acme/pipelines/web-app", ""); /* teams never go in a PATCH */
	expect(&b, ARGS("plan", "p.yaml"), 0, "No changes.", NULL);
	fx_write("p.yaml", WEB("  teams: {platform: manage_build_and_read}\n"));
	expect(&b, ARGS("apply", "--yes", "p.yaml"), 0, "Apply complete: 1 change applied.", NULL);
	expect_body("DELETE", TP(T_QA) "/" P1, "null");
	expect(&b, ARGS("drift", "p.yaml"), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_a_level_changed_in_buildkite_is_drift(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(CLUSTERS, TEAMS WEB_LIVE LINKS(ASSOC(T_QA, "manage_build_and_read"))), NULL);
	fx_write("p.yaml", WEB("  teams: {qa: read_only}\n"));
	expect(&b, ARGS("drift", "p.yaml"), 2, "spec.teams: {\"qa\":\"manage_build_and_read\"} -> {\"qa\":\"read_only\"}",
	       NULL);
	bk_down(&b);
}

static void test_a_create_sends_teams_by_uuid_and_converges(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(CLUSTERS, TEAMS), NULL);
	fx_write("p.yaml", WEB("  teams: {qa: read_only, platform: manage_build_and_read}\n"));
	expect(&b, ARGS("apply", "--yes", "p.yaml"), 0, "Apply complete: 1 change applied.", NULL);
	expect_body("POST", "/v2/organizations/acme/pipelines",
		    "{\"name\":\"Web App\",\"repository\":\"git@github.com:acme/web.git\",\"cluster_id\":\"" CL1 "\","
		    "\"configuration\":\"steps:\\n  - command: make\\n\",\"slug\":\"web-app\",\"teams\":{\"" T_QA
		    "\":\"read_only\",\"" T_PLATFORM "\":\"manage_build_and_read\"}}");
	expect_body("POST", TP(T_QA), ""); /* the create carried them */
	expect(&b, ARGS("drift", "p.yaml"), 0, "No changes.", NULL);
	bk_down(&b);
}

/* How many recorded requests have a path starting with prefix. */
static int requests_to(const char *prefix)
{
	char *log = slurp("requests.jsonl");
	int n = 0;
	char *needle = cf_xasprintf("\"path\":\"%s", prefix);
	for (const char *p = log; (p = strstr(p, needle)); p++)
		n++;
	free(needle);
	free(log);
	return n;
}

static void test_without_teams_in_any_manifest_no_team_is_read_nor_read_teams_needed(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, "{\"buildkite\": {\"scopes\": [\"read_pipelines\", \"read_clusters\"], \"clusters\": [" CLUSTERS "]"
		  TEAMS WEB_LIVE "}}", NULL);
	fx_write("p.yaml", WEB(""));
	expect(&b, ARGS("plan", "p.yaml"), 0, "No changes.", NULL);
	assert_int_equal(requests_to("/v2/organizations/acme/teams"), 0);
	fx_write("p.yaml", WEB("  teams: {qa: read_only}\n"));
	expect(&b, ARGS("plan", "p.yaml"), 1, NULL, "lacks the scope(s) read_teams, needed for reading pipeline teams");
	bk_down(&b);
}

static void test_a_team_change_without_write_teams_is_refused_before_any_request(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, "{\"buildkite\": {\"scopes\": [\"read_pipelines\", \"write_pipelines\", \"read_clusters\", "
		  "\"read_teams\"], \"clusters\": [" CLUSTERS "]" TEAMS WEB_LIVE "}}", NULL);
	fx_write("p.yaml", WEB("  teams: {qa: read_only}\n"));
	expect(&b, ARGS("apply", "--yes", "p.yaml"), 1, NULL, "lacks the scope(s) write_teams");
	expect_body("POST", TP(T_QA), "");
	bk_down(&b);
}

static void test_an_exported_pipeline_keeps_its_teams_and_plans_unchanged(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(CLUSTERS, TEAMS WEB_LIVE LINKS(ASSOC(T_QA, "read_only") ", " ASSOC(T_PLATFORM, "build_and_read"))),
	      NULL);
	expect(&b, ARGS("export", "--pipeline", "web-app"), 0, "  teams:\n    platform: build_and_read\n    qa: read_only\n",
	       NULL);
	expect(&b, ARGS("export", "--pipeline", "web-app", "--dir", "out"), 0, NULL, NULL);
	expect(&b, ARGS("drift", "out"), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_export_without_read_teams_leaves_teams_out_and_still_round_trips(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, "{\"buildkite\": {\"scopes\": [\"read_pipelines\", \"read_clusters\"], \"clusters\": [" CLUSTERS "]"
		  TEAMS WEB_LIVE LINKS(ASSOC(T_QA, "read_only")) "}}", NULL);
	fx_result r = run(&b, ARGS("export", "--pipeline", "web-app", "--dir", "out"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	char *doc = slurp("out/pipelines/pipeline-web-app.yaml");
	assert_false(fx_contains(doc, "teams"));
	free(doc);
	expect(&b, ARGS("drift", "out"), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_failing_requests_converge(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(CLUSTERS, TEAMS WEB_LIVE), ARGS("--fail-every", "3"));
	fx_write("p.yaml", WEB("  teams: {qa: read_only, platform: build_and_read}\n"));
	expect(&b, ARGS("apply", "--yes", "p.yaml"), 0, NULL, NULL);
	expect(&b, ARGS("drift", "p.yaml"), 0, "No changes.", NULL);
	bk_down(&b);
}

/* --lose-every: the POST lands, its answer is lost; the lookup before the
 * next attempt finds the association, so none is made twice */
static void test_lost_answers_converge_without_a_second_association(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(CLUSTERS, TEAMS WEB_LIVE), ARGS("--lose-every", "1", "--state", "state.json"));
	fx_write("p.yaml", WEB("  teams: {qa: read_only, platform: build_and_read}\n"));
	expect(&b, ARGS("apply", "--yes", "p.yaml"), 0, NULL, NULL);
	expect(&b, ARGS("drift", "p.yaml"), 0, "No changes.", NULL);
	fx_sandbox_stop(&b.sb);
	char *text = slurp("state.json");
	cJSON *st = cJSON_Parse(text);
	free(text);
	assert_non_null(st);
	assert_int_equal(cJSON_GetArraySize(cf_json_path(st, "buildkite.team_pipelines")), 2);
	cJSON_Delete(st);
	bk_down(&b);
}

/* docs rest_api.md "Pagination": at most 100 a page, then Link rel="next";
 * the 150th team is on the second page, and the Link URLs' api_key= never
 * shows, not even in --debug */
static void test_a_team_on_the_second_page_is_found_and_no_link_is_printed(void **state)
{
	(void)state;
	char *teams = cf_xstrdup("");
	for (int i = 1; i <= 150; i++) {
		char *more = cf_xasprintf("%s%s{\"id\": \"02900000-0000-4000-8000-%012d\", \"slug\": \"team-%d\"}", teams,
					  i > 1 ? ", " : "", i, i);
		free(teams);
		teams = more;
	}
	char *seed = cf_xasprintf(SEED(CLUSTERS, ", \"teams\": [%s]" WEB_LIVE), teams);
	free(teams);
	bk b;
	bk_up(&b, seed, NULL);
	free(seed);
	fx_write("p.yaml", WEB("  teams: {team-150: read_only}\n"));
	fx_result r = run(&b, ARGS("plan", "--debug", "p.yaml"));
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "spec.teams: {} -> {\"team-150\":\"read_only\"}"));
	assert_false(fx_contains(r.out, "api_key") || fx_contains(r.err, "api_key"));
	fx_result_free(&r);
	bk_down(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_an_unknown_access_level_is_refused_at_its_value),
		cmocka_unit_test(test_teams_must_be_a_mapping_and_a_misspelt_key_is_unknown),
		cmocka_unit_test(test_the_same_map_in_another_order_is_no_change),
		cmocka_unit_test(test_a_live_read_spelling_compares_as_read_only),
		cmocka_unit_test(test_a_team_the_organization_lacks_is_a_plan_error_at_its_key),
		cmocka_unit_test(test_apply_adds_changes_and_removes_associations_then_converges),
		cmocka_unit_test(test_a_level_changed_in_buildkite_is_drift),
		cmocka_unit_test(test_a_create_sends_teams_by_uuid_and_converges),
		cmocka_unit_test(test_without_teams_in_any_manifest_no_team_is_read_nor_read_teams_needed),
		cmocka_unit_test(test_a_team_change_without_write_teams_is_refused_before_any_request),
		cmocka_unit_test(test_an_exported_pipeline_keeps_its_teams_and_plans_unchanged),
		cmocka_unit_test(test_export_without_read_teams_leaves_teams_out_and_still_round_trips),
		cmocka_unit_test(test_a_team_on_the_second_page_is_found_and_no_link_is_printed),
		cmocka_unit_test(test_failing_requests_converge),
		cmocka_unit_test(test_lost_answers_converge_without_a_second_association),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
