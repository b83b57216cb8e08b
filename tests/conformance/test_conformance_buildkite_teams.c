/*
 * Conformance of `ciform-sandbox --api buildkite`'s team routes, and of the
 * pipeline rules issue 15 added (teams on create, the slug PATCH, a DELETE
 * refused while builds run), with Buildkite's REST API v2 (docs =
 * buildkite/docs pages/apis/rest_api/teams.md, teams/pipelines.md,
 * pipelines.md; gob = go-buildkite team_pipelines.go; tf =
 * terraform-provider-buildkite buildkite/util.go). Raw libcurl, none of
 * ciform's client.
 */
#include "tests/conformance/test_conformance_buildkite.h"

#define P1 "03900000-0000-4000-8000-000000000001"
#define T1 "02900000-0000-4000-8000-000000000001"
#define T2 "02900000-0000-4000-8000-000000000002"
#define SEED "{\"buildkite\": {\"organization\": \"acme\", \"clusters\": [{\"id\": \"" CLUSTER "\", \"name\": \"linux\"}], " \
	"\"teams\": [{\"id\": \"" T1 "\", \"slug\": \"platform\", \"name\": \"Platform\"}, {\"id\": \"" T2 "\", " \
	"\"slug\": \"qa\", \"name\": \"QA\"}], \"pipelines\": [{\"id\": \"" P1 "\", \"slug\": \"web\", \"name\": \"web\", " \
	"\"repository\": \"r\", \"cluster_id\": \"" CLUSTER "\", \"configuration\": \"steps: [wait]\", " \
	"\"running_builds_count\": 1}], \"schedules\": [{\"id\": \"04900000-0000-4000-8000-000000000001\", " \
	"\"pipeline_slug\": \"web\", \"label\": \"Nightly\", \"cronline\": \"@daily\"}]}}"
#define TP(team) ORG "/teams/" team "/pipelines"

static const char *s_at(const cJSON *o, const char *path)
{
	return cJSON_GetStringValue(cf_json_path(o, path));
}

static long status_of(fx_sandbox *sb, const char *method, const char *path, const char *body)
{
	ans a = call(sb, method, path, body, NULL);
	long s = a.status;
	done(&a);
	return s;
}

/* docs teams.md "List teams": id, slug, name; paged with a Link header */
static void test_teams_are_listed_with_their_uuid_and_slug_and_paged(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "GET", ORG "/teams?per_page=1", NULL, NULL);
	assert_int_equal(a.status, 200);
	assert_int_equal(cJSON_GetArraySize(a.json), 1);
	assert_string_equal(s_at(cJSON_GetArrayItem(a.json, 0), "id"), T1);
	assert_string_equal(s_at(cJSON_GetArrayItem(a.json, 0), "slug"), "platform");
	/* docs rest_api.md "Pagination": absolute URLs, api_key= included */
	char *want = cf_xasprintf("Link: <%s" ORG "/teams?api_key=f8582f070276d764ce3dd4c6d57be92574dccf86&page=2&"
				  "per_page=1>; rel=\"next\", <%s" ORG "/teams?api_key=f8582f070276d764ce3dd4c6d57be92574dccf86"
				  "&page=2&per_page=1>; rel=\"last\"\r\n", sb.url, sb.url);
	if (!fx_contains(a.headers, want))
		fail_msg("wanted %s in: %s", want, a.headers);
	free(want);
	done(&a);
	a = call(&sb, "GET", ORG "/teams?page=2&per_page=1", NULL, NULL);
	assert_string_equal(s_at(cJSON_GetArrayItem(a.json, 0), "slug"), "qa");
	assert_false(fx_contains(a.headers, "Link:")); /* the last page */
	done(&a);
	down(&sb);
}

/* docs teams.md: read_teams; teams/pipelines.md: write_teams */
static void test_team_routes_need_the_teams_scopes(void **state)
{
	(void)state;
	fx_sandbox sb;
	bk_sandbox_up(&sb, "{\"buildkite\": {\"scopes\": [\"read_pipelines\"], \"teams\": [{\"id\": \"" T1 "\", "
			   "\"slug\": \"platform\"}]}}");
	assert_int_equal(status_of(&sb, "GET", ORG "/teams", NULL), 403);
	assert_int_equal(status_of(&sb, "GET", TP(T1), NULL), 403);
	down(&sb);
}

/* docs teams/pipelines.md: teams are addressed by {team.uuid} */
static void test_a_team_is_addressed_by_uuid_not_slug(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	assert_int_equal(status_of(&sb, "GET", ORG "/teams/" T1, NULL), 200);
	assert_int_equal(status_of(&sb, "GET", TP("platform"), NULL), 404);
	down(&sb);
}

/* docs "Create a team pipeline": 201 with {access_level, pipeline_id,
 * pipeline_url}; then listed and got by pipeline UUID */
static void test_an_association_is_created_listed_and_got(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "POST", TP(T1), "{\"pipeline_id\": \"" P1 "\", \"access_level\": \"build_and_read\"}", NULL);
	assert_int_equal(a.status, 201);
	assert_string_equal(s_at(a.json, "pipeline_id"), P1);
	assert_string_equal(s_at(a.json, "access_level"), "build_and_read");
	assert_string_equal(s_at(a.json, "pipeline_url"), "https://api.buildkite.com/v2/organizations/acme/pipelines/web");
	done(&a);
	a = call(&sb, "GET", TP(T1), NULL, NULL);
	assert_int_equal(cJSON_GetArraySize(a.json), 1);
	done(&a);
	a = call(&sb, "GET", TP(T1) "/" P1, NULL, NULL);
	assert_int_equal(a.status, 200);
	assert_string_equal(s_at(a.json, "access_level"), "build_and_read");
	done(&a);
	assert_int_equal(status_of(&sb, "GET", TP(T2) "/" P1, NULL), 404);
	down(&sb);
}

/* docs: 422 {"message": "Validation failed: ..."} */
static void test_a_bad_association_is_refused_422(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	assert_int_equal(status_of(&sb, "POST", TP(T1), "{\"pipeline_id\": \"" P1 "\", \"access_level\": \"admin\"}"), 422);
	assert_int_equal(status_of(&sb, "POST", TP(T1), "{\"pipeline_id\": \"" OTHER "\", \"access_level\": \"read_only\"}"),
			 422);
	assert_int_equal(status_of(&sb, "POST", TP(T1), "{\"pipeline_id\": \"" P1 "\", \"access_level\": \"read_only\"}"), 201);
	ans a = call(&sb, "POST", TP(T1), "{\"pipeline_id\": \"" P1 "\", \"access_level\": \"read_only\"}", NULL);
	assert_int_equal(a.status, 422);
	assert_true(fx_contains(s_at(a.json, "message"), "Validation failed"));
	done(&a);
	down(&sb);
}

/* docs "Update a team pipeline" (PATCH, 200) and "Delete" (204) */
static void test_an_association_is_patched_and_deleted(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	assert_int_equal(status_of(&sb, "POST", TP(T1), "{\"pipeline_id\": \"" P1 "\", \"access_level\": \"read_only\"}"), 201);
	assert_int_equal(status_of(&sb, "PATCH", TP(T1) "/" P1, "{\"access_level\": \"nope\"}"), 422);
	ans a = call(&sb, "PATCH", TP(T1) "/" P1, "{\"access_level\": \"manage_build_and_read\"}", NULL);
	assert_int_equal(a.status, 200);
	assert_string_equal(s_at(a.json, "access_level"), "manage_build_and_read");
	done(&a);
	assert_int_equal(status_of(&sb, "DELETE", TP(T1) "/" P1, NULL), 204);
	assert_int_equal(status_of(&sb, "GET", TP(T1) "/" P1, NULL), 404);
	down(&sb);
}

/* docs pipelines.md "Create a YAML pipeline": teams {UUID: level} */
static void test_a_pipeline_create_with_teams_makes_the_associations(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "POST", ORG "/pipelines", "{\"name\": \"api\", \"repository\": \"r\", \"cluster_id\": \"" CLUSTER
		     "\", \"configuration\": \"steps: [wait]\", \"teams\": {\"" T2 "\": \"read_only\"}}", NULL);
	assert_int_equal(a.status, 201);
	assert_null(cJSON_GetObjectItem(a.json, "teams")); /* no pipeline answer carries teams */
	char *path = cf_xasprintf("%s/%s", TP(T2), s_at(a.json, "id"));
	done(&a);
	a = call(&sb, "GET", path, NULL, NULL);
	assert_int_equal(a.status, 200);
	assert_string_equal(s_at(a.json, "access_level"), "read_only");
	done(&a);
	free(path);
	assert_int_equal(status_of(&sb, "POST", ORG "/pipelines", "{\"name\": \"x\", \"repository\": \"r\", \"cluster_id\": \""
				   CLUSTER "\", \"configuration\": \"steps: [wait]\", \"teams\": {\"" OTHER "\": \"read_only\"}}"),
			 422);
	down(&sb);
}

/* docs pipelines.md Update: slug renames; a schedule stays the pipeline's */
static void test_a_slug_patch_renames_and_the_schedules_follow(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "PATCH", ORG "/pipelines/web", "{\"slug\": \"web-app\"}", NULL);
	assert_int_equal(a.status, 200);
	assert_string_equal(s_at(a.json, "slug"), "web-app");
	assert_string_equal(s_at(a.json, "name"), "web");
	done(&a);
	assert_int_equal(status_of(&sb, "GET", ORG "/pipelines/web", NULL), 404);
	a = call(&sb, "GET", ORG "/pipelines/web-app/schedules", NULL, NULL);
	assert_int_equal(cJSON_GetArraySize(a.json), 1);
	done(&a);
	down(&sb);
}

/* tf util.go activeJobsRegex: the refusal's words; then the 204 */
static void test_a_delete_is_refused_while_builds_run(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	assert_int_equal(status_of(&sb, "POST", TP(T1), "{\"pipeline_id\": \"" P1 "\", \"access_level\": \"read_only\"}"), 201);
	ans a = call(&sb, "DELETE", ORG "/pipelines/web", NULL, NULL);
	assert_int_equal(a.status, 422);
	assert_string_equal(s_at(a.json, "message"), "Cannot delete pipeline with active builds");
	done(&a);
	assert_int_equal(status_of(&sb, "GET", ORG "/pipelines/web", NULL), 200);
	assert_int_equal(status_of(&sb, "DELETE", ORG "/pipelines/web", NULL), 204);
	assert_int_equal(status_of(&sb, "GET", TP(T1) "/" P1, NULL), 404); /* its associations went with it */
	down(&sb);
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_teams_are_listed_with_their_uuid_and_slug_and_paged),
		cmocka_unit_test(test_team_routes_need_the_teams_scopes),
		cmocka_unit_test(test_a_team_is_addressed_by_uuid_not_slug),
		cmocka_unit_test(test_an_association_is_created_listed_and_got),
		cmocka_unit_test(test_a_bad_association_is_refused_422),
		cmocka_unit_test(test_an_association_is_patched_and_deleted),
		cmocka_unit_test(test_a_pipeline_create_with_teams_makes_the_associations),
		cmocka_unit_test(test_a_slug_patch_renames_and_the_schedules_follow),
		cmocka_unit_test(test_a_delete_is_refused_while_builds_run),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
