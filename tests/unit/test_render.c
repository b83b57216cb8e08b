/* render: text, JSON and Markdown of plans built on in-memory resource sets
 * and live state (tests/unit/inmem.h). One behaviour each. */
#include "tests/unit/inmem.h"

#include <stdio.h>

#define SECRET_VALUE "hunter2-very-secret"
#define SECRET_DOC "{\"spec\": {\"env_vars\": [{\"name\": \"TOKEN\", \"value\": \"" SECRET_VALUE "\"}]}}"

typedef struct scene {
	cf_resource_set *set;
	cf_live *live;
	cf_plan *plan;
} scene;

static void scene_free(scene *s)
{
	cf_plan_free(s->plan);
	cf_live_free(s->live);
	cf_resource_set_free(s->set);
}

/* One resource of kind k, doc against api (NULL: none live). */
static void one(scene *s, const cf_kind *k, const char *doc, const char *api)
{
	s->set = im_set();
	im_res(s->set, k, "w", doc);
	s->live = im_live();
	if (api)
		im_live_add(s->live, s->set, k, "w", api);
	s->plan = im_plan(s->set, s->live, NULL);
}

/* A vault whose url changed and which gains a secret: a replacement. */
static void replacement(scene *s)
{
	one(s, &vault_kind,
	    "{\"metadata\": {\"url\": \"https://b\"}, \"spec\": {\"env_vars\": [{\"name\": \"A\", \"value\": \"a-value\"},"
	    " {\"name\": \"B\", \"value\": \"b-value\"}]}}",
	    "{\"url\": \"https://a\", \"env_vars\": [{\"name\": \"A\", \"value\": \"\"}]}");
	assert_int_equal(s->plan->count, 2);
}

static void assert_contains(const char *haystack, const char *needle)
{
	if (!strstr(haystack, needle))
		fail_msg("expected to find\n%s\nin\n%s", needle, haystack);
}

static void assert_lacks(const char *haystack, const char *needle)
{
	if (strstr(haystack, needle))
		fail_msg("expected not to find\n%s\nin\n%s", needle, haystack);
}

/* Nothing of the secret: neither its value nor its MD5. */
static void assert_no_secret(const char *out)
{
	char md5[33];
	im_md5(SECRET_VALUE, md5);
	assert_lacks(out, SECRET_VALUE);
	assert_lacks(out, md5);
}

static void test_text_shows_a_secret_as_sensitive_and_never_its_value(void **state)
{
	(void)state;
	scene s;
	one(&s, &widget_kind, SECRET_DOC, "{}");
	char *t = cf_render_text(s.plan, NULL);
	assert_string_equal(t, "ciform will make these changes:\n\n"
			       "  ~ Widget/w (update)\n"
			       "      spec.env_vars.TOKEN: (sensitive) added\n\n"
			       "Unchanged: 0 resources.\n"
			       "Plan: 0 to create, 1 to update, 0 to delete, 0 to activate, 0 to deactivate.\n");
	assert_no_secret(t);
	free(t);
	scene_free(&s);
}

static void test_text_shows_a_changed_and_a_removed_secret_without_values(void **state)
{
	(void)state;
	char md5[33];
	im_md5("old", md5);
	char *api = cf_xasprintf("{\"env_vars\": [{\"name\": \"TOKEN\", \"value\": \"%s\"}, {\"name\": \"GONE\", "
				 "\"value\": \"%s\"}]}", md5, md5);
	scene s;
	one(&s, &widget_kind, SECRET_DOC, api);
	char *t = cf_render_text(s.plan, NULL);
	assert_contains(t, "      spec.env_vars.TOKEN: (sensitive) changed\n"
			   "      spec.env_vars.GONE: (sensitive) removed\n");
	assert_no_secret(t);
	assert_lacks(t, md5);
	free(t);
	free(api);
	scene_free(&s);
}

static void test_json_and_markdown_never_show_a_secret_value(void **state)
{
	(void)state;
	scene s;
	one(&s, &widget_kind, SECRET_DOC, NULL);
	char *j = cf_render_json(s.plan, NULL), *m = cf_render_markdown(s.plan, NULL);
	assert_no_secret(j);
	assert_no_secret(m);
	assert_contains(j, "{\"path\":\"spec.env_vars.TOKEN\",\"change\":\"added\",\"sensitive\":true}");
	assert_contains(m, "| `spec.env_vars.TOKEN` | (sensitive) | added |\n");
	free(j);
	free(m);
	scene_free(&s);
}

static void test_a_secret_written_plainly_in_the_spec_is_shown_beside_sensitive(void **state)
{
	(void)state;
	cf_resource_set *set = im_set();
	cf_resource *r = im_res(set, &widget_kind, "w", "{\"spec\": {\"env_vars\": [{\"name\": \"MODE\", \"value\": \"fast\"}]}}");
	r->locs = cf_locs_new();
	cf_locs_add(r->locs, "spec.env_vars[0].value", 7, 30);
	cf_live *live = im_live();
	im_live_add(live, set, &widget_kind, "w", "{}");
	cf_plan *plan = im_plan(set, live, NULL);
	char *t = cf_render_text(plan, NULL), *j = cf_render_json(plan, NULL);
	assert_contains(t, "      spec.env_vars.MODE: (sensitive) added -> \"fast\"\n");
	assert_contains(j, "{\"path\":\"spec.env_vars.MODE\",\"change\":\"added\",\"after\":\"fast\",\"sensitive\":true}");
	free(t);
	free(j);
	cf_plan_free(plan);
	cf_live_free(live);
	cf_resource_set_free(set);
}

static void test_text_of_an_update_shows_before_and_after(void **state)
{
	(void)state;
	scene s;
	one(&s, &widget_kind, "{\"metadata\": {\"url\": \"https://b\"}}", "{\"url\": \"https://a\"}");
	char *t = cf_render_text(s.plan, NULL);
	assert_string_equal(t, "ciform will make these changes:\n\n"
			       "  ~ Widget/w (update)\n"
			       "      metadata.url: \"https://a\" -> \"https://b\"\n\n"
			       "Unchanged: 0 resources.\n"
			       "Plan: 0 to create, 1 to update, 0 to delete, 0 to activate, 0 to deactivate.\n");
	free(t);
	scene_free(&s);
}

static void test_text_of_a_create_shows_values_and_notes(void **state)
{
	(void)state;
	scene s;
	one(&s, &widget_kind, "{\"metadata\": {\"url\": \"https://b\"}, \"spec\": {\"rules\": []}}", NULL);
	char *t = cf_render_text(s.plan, NULL);
	assert_string_equal(t, "ciform will make these changes:\n\n"
			       "  + Widget/w (create)\n"
			       "      metadata.url: \"https://b\"\n"
			       "      # spec.mode: not in the spec: the server's default, auto\n"
			       "      # spec.rules is empty: nothing matches\n\n"
			       "Unchanged: 0 resources.\n"
			       "Plan: 1 to create, 0 to update, 0 to delete, 0 to activate, 0 to deactivate.\n");
	free(t);
	scene_free(&s);
}

static void test_text_shows_list_items_added_and_removed(void **state)
{
	(void)state;
	scene s;
	one(&s, &widget_kind, "{\"spec\": {\"rules\": [{\"branch\": \"main\"}, {\"tag\": \"v*\"}]}}",
	    "{\"rules\": [{\"branch\": \"main\"}, {\"branch\": \"dev\"}]}");
	char *t = cf_render_text(s.plan, NULL);
	assert_contains(t, "      spec.rules:\n"
			   "        - {branch: dev}\n"
			   "        + {tag: v*}\n");
	free(t);
	scene_free(&s);
}

static void test_text_says_when_list_items_only_moved(void **state)
{
	(void)state;
	scene s;
	one(&s, &widget_kind, "{\"spec\": {\"rules\": [\"b\", \"a\"]}}", "{\"rules\": [\"a\", \"b\"]}");
	char *t = cf_render_text(s.plan, NULL);
	assert_contains(t, "      spec.rules:\n"
			   "        (the same rules in a new order:)\n"
			   "          \"b\"\n"
			   "          \"a\"\n");
	free(t);
	scene_free(&s);
}

static void test_text_marks_replacements_and_lists_the_unverifiable(void **state)
{
	(void)state;
	scene s;
	replacement(&s);
	char *t = cf_render_text(s.plan, NULL);
	assert_string_equal(t, "ciform will make these changes:\n\n"
			       "  - Vault/w (delete, replace)\n"
			       "      # replaced: deleted, then created anew (a new id; jobs that start in between do "
			       "not find it)\n"
			       "  + Vault/w (create, replace)\n"
			       "      metadata.url: \"https://b\"\n"
			       "      spec.env_vars.B: (sensitive) added\n"
			       "      # spec.mode: not in the spec: the server's default, auto\n\n"
			       "Unverifiable: the server does not show these values in full, so a changed value may "
			       "not be seen (not drift):\n"
			       "  ~ Vault/w: " HIDDEN_REASON "\n\n"
			       "Unchanged: 0 resources.\n"
			       "Plan: 1 to create, 0 to update, 1 to delete, 0 to activate, 0 to deactivate.\n");
	assert_lacks(t, "a-value");
	assert_lacks(t, "b-value");
	free(t);
	scene_free(&s);
}

static void test_text_lists_the_unverifiable_when_nothing_changes(void **state)
{
	(void)state;
	scene s;
	one(&s, &vault_kind, "{\"spec\": {\"env_vars\": [{\"name\": \"A\", \"value\": \"a\"}]}}",
	    "{\"env_vars\": [{\"name\": \"A\", \"value\": \"\"}]}");
	char *t = cf_render_text(s.plan, NULL);
	assert_string_equal(t, "Unverifiable: the server does not show these values in full, so a changed value may "
			       "not be seen (not drift):\n"
			       "  ~ Vault/w: " HIDDEN_REASON "\n\n"
			       "Unchanged: 1 resource.\n"
			       "No changes. Live state matches the specs.\n");
	free(t);
	scene_free(&s);
}

static void test_text_lists_the_unmanaged(void **state)
{
	(void)state;
	scene s = {.set = im_set(), .live = im_live()};
	im_live_add(s.live, s.set, &widget_kind, "x", "{}");
	s.plan = im_plan(s.set, s.live, NULL);
	char *t = cf_render_text(s.plan, NULL);
	assert_string_equal(t, "Unmanaged: live, in scope, and in no spec (--prune deletes them):\n"
			       "  ? Widget/x\n\n"
			       "Unchanged: 0 resources.\n"
			       "No changes. Live state matches the specs.\n");
	free(t);
	scene_free(&s);
}

static void test_text_of_no_changes(void **state)
{
	(void)state;
	scene s;
	one(&s, &widget_kind, "{}", "{}");
	char *t = cf_render_text(s.plan, NULL);
	assert_string_equal(t, "Unchanged: 1 resource.\nNo changes. Live state matches the specs.\n");
	free(t);
	scene_free(&s);
}

static void test_text_is_coloured_only_when_asked(void **state)
{
	(void)state;
	scene s;
	one(&s, &widget_kind, "{}", NULL);
	char *plain = cf_render_text(s.plan, &(cf_render_opts){.color = false});
	char *colour = cf_render_text(s.plan, &(cf_render_opts){.color = true});
	assert_lacks(plain, "\033[");
	assert_contains(colour, "  \033[32m+ Widget/w\033[0m (create)\n");
	free(plain);
	free(colour);
	scene_free(&s);
}

/* JSON */

static cJSON *json_of(const cf_plan *plan)
{
	char *text = cf_render_json(plan, NULL);
	size_t n = strlen(text);
	assert_true(n > 0 && text[n - 1] == '\n');
	cJSON *j = cJSON_Parse(text);
	assert_non_null(j);
	free(text);
	return j;
}

static void test_json_marks_replacement_changes_with_replace_true(void **state)
{
	(void)state;
	scene s;
	replacement(&s);
	cJSON *j = json_of(s.plan);
	const cJSON *changes = cJSON_GetObjectItemCaseSensitive(j, "changes");
	assert_int_equal(cJSON_GetArraySize(changes), 2);
	const cJSON *del = cJSON_GetArrayItem(changes, 0), *cr = cJSON_GetArrayItem(changes, 1);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(del, "action")), "delete");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(del, "replace")));
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(del, "id")), "id-w");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cr, "action")), "create");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cr, "replace")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(cr, "id")));
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cr, "kind")), "Vault");
	cJSON_Delete(j);
	scene_free(&s);
}

static void test_json_has_no_replace_key_on_other_changes(void **state)
{
	(void)state;
	scene s;
	one(&s, &widget_kind, "{\"metadata\": {\"url\": \"https://b\"}}", "{\"url\": \"https://a\"}");
	cJSON *j = json_of(s.plan);
	const cJSON *ch = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "changes"), 0);
	assert_non_null(ch);
	assert_null(cJSON_GetObjectItemCaseSensitive(ch, "replace"));
	char *fields = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(ch, "fields"));
	assert_string_equal(fields, "[{\"path\":\"metadata.url\",\"before\":\"https://a\",\"after\":\"https://b\","
				    "\"sensitive\":false}]");
	free(fields);
	cJSON_Delete(j);
	scene_free(&s);
}

static void test_json_lists_the_unverifiable_with_kind_address_and_reason(void **state)
{
	(void)state;
	scene s;
	replacement(&s);
	cJSON *j = json_of(s.plan);
	char *u = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(j, "unverifiable"));
	assert_string_equal(u, "[{\"kind\":\"Vault\",\"address\":\"Vault/w\",\"reason\":\"" HIDDEN_REASON "\"}]");
	free(u);
	cJSON_Delete(j);
	scene_free(&s);
}

static void test_json_has_an_empty_unverifiable_array_when_all_is_verifiable(void **state)
{
	(void)state;
	scene s;
	one(&s, &widget_kind, "{}", "{}");
	cJSON *j = json_of(s.plan);
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(j, "unverifiable");
	assert_true(cJSON_IsArray(u));
	assert_int_equal(cJSON_GetArraySize(u), 0);
	cJSON_Delete(j);
	scene_free(&s);
}

static void test_json_summary_counts_every_action_and_the_unchanged(void **state)
{
	(void)state;
	scene s;
	replacement(&s);
	cJSON *j = json_of(s.plan);
	char *sum = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(j, "summary"));
	assert_string_equal(sum, "{\"create\":1,\"update\":0,\"delete\":1,\"activate\":0,\"deactivate\":0,\"unchanged\":0}");
	free(sum);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "format_version")), "1");
	cJSON_Delete(j);
	scene_free(&s);
}

static void test_json_source_carries_paths_and_commit(void **state)
{
	(void)state;
	scene s;
	one(&s, &widget_kind, "{}", "{}");
	const char *const paths[] = {"specs", "more"};
	char *t = cf_render_json(s.plan, &(cf_render_opts){.paths = paths, .npaths = 2, .git_commit = "abc123"});
	assert_contains(t, "\"source\":{\"paths\":[\"specs\",\"more\"],\"git_commit\":\"abc123\"}");
	free(t);
	t = cf_render_json(s.plan, &(cf_render_opts){0});
	assert_contains(t, "\"source\":{\"paths\":[\".\"],\"git_commit\":null}");
	free(t);
	scene_free(&s);
}

/* Markdown */

static void test_markdown_marks_replacements_and_lists_the_unverifiable(void **state)
{
	(void)state;
	scene s;
	replacement(&s);
	char *m = cf_render_markdown(s.plan, NULL);
	assert_contains(m, "<details><summary><code>- delete (replace) Vault/w</code></summary>\n");
	assert_contains(m, "<details><summary><code>+ create (replace) Vault/w</code></summary>\n");
	assert_contains(m, "Unverifiable (the server does not show the values in full): `Vault/w`\n");
	assert_lacks(m, "a-value");
	assert_lacks(m, "b-value");
	assert_contains(m, "**Plan: 1 to create, 0 to update, 1 to delete, 0 to activate, 0 to deactivate.**\n");
	free(m);
	scene_free(&s);
}

static void test_markdown_escapes_pipes_and_backticks_in_cells(void **state)
{
	(void)state;
	scene s;
	one(&s, &widget_kind, "{\"metadata\": {\"url\": \"a|b`c\"}}", "{\"url\": \"x\"}");
	char *m = cf_render_markdown(s.plan, NULL);
	assert_contains(m, "| `metadata.url` | `\"x\"` | `\"a\\|b'c\"` |\n");
	free(m);
	scene_free(&s);
}

static void test_markdown_stays_within_its_cap_with_many_changes(void **state)
{
	(void)state;
	scene s = {.set = im_set(), .live = im_live()};
	char name[32], doc[400];
	for (int i = 0; i < 2000; i++) {
		snprintf(name, sizeof(name), "w%05d", i);
		snprintf(doc, sizeof(doc), "{\"metadata\": {\"url\": \"https://example.com/%0200d\"}}", i);
		im_res(s.set, &widget_kind, name, doc);
	}
	s.plan = im_plan(s.set, s.live, NULL);
	assert_int_equal(s.plan->count, 2000);
	char *m = cf_render_markdown(s.plan, NULL);
	assert_true(strlen(m) <= CF_MARKDOWN_MAX);
	assert_contains(m, "more changes are not shown: the plan is longer than a comment can hold.");
	assert_contains(m, "| create | 2000 |\n");
	assert_contains(m, "**Plan: 2000 to create, 0 to update, 0 to delete, 0 to activate, 0 to deactivate.**\n");
	free(m);
	scene_free(&s);
}

static void test_markdown_stays_within_its_cap_with_many_unmanaged_and_unverifiable(void **state)
{
	(void)state;
	scene s = {.set = im_set(), .live = im_live()};
	char name[32];
	for (int i = 0; i < 3000; i++) {
		snprintf(name, sizeof(name), "v%05d", i);
		im_res(s.set, &vault_kind, name, "{}");
	}
	for (int i = 0; i < 3000; i++) {
		snprintf(name, sizeof(name), "v%05d", i);
		im_live_add(s.live, s.set, &vault_kind, name, "{}");
		snprintf(name, sizeof(name), "x%05d", i);
		im_live_add(s.live, s.set, &widget_kind, name, "{}");
	}
	s.plan = im_plan(s.set, s.live, NULL);
	assert_int_equal(s.plan->nunmanaged, 3000);
	assert_int_equal(s.plan->nunverifiable, 3000);
	char *m = cf_render_markdown(s.plan, NULL);
	assert_true(strlen(m) <= CF_MARKDOWN_MAX);
	assert_contains(m, "**No changes. Live state matches the specs.**\n");
	free(m);
	scene_free(&s);
}

/* render.h: Markdown is "never over 60,000 characters", whatever the
 * addresses (the unmanaged come from live, named by whoever made them). */
static void test_markdown_stays_within_its_cap_with_long_unmanaged_addresses(void **state)
{
	(void)state;
	scene s = {.set = im_set(), .live = im_live()};
	char name[1100];
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "%03d%01000d", i, 0);
		im_live_add(s.live, s.set, &widget_kind, name, "{}");
	}
	s.plan = im_plan(s.set, s.live, NULL);
	char *m = cf_render_markdown(s.plan, NULL);
	size_t n = strlen(m);
	free(m);
	scene_free(&s);
	if (n > CF_MARKDOWN_MAX)
		fail_msg("%zu characters, over CF_MARKDOWN_MAX (%d)", n, CF_MARKDOWN_MAX);
}

static void test_markdown_skips_a_change_too_long_for_a_comment(void **state)
{
	(void)state;
	char *url = cf_xmalloc(CF_MARKDOWN_MAX + 1);
	memset(url, 'u', CF_MARKDOWN_MAX);
	url[CF_MARKDOWN_MAX] = '\0';
	char *doc = cf_xasprintf("{\"metadata\": {\"url\": \"%s\"}}", url);
	scene s;
	one(&s, &widget_kind, doc, NULL);
	char *m = cf_render_markdown(s.plan, NULL);
	assert_true(strlen(m) <= CF_MARKDOWN_MAX);
	assert_contains(m, "_1 more change is not shown: the plan is longer than a comment can hold.");
	free(m);
	free(doc);
	free(url);
	scene_free(&s);
}

static void test_summary_line_counts_each_action(void **state)
{
	(void)state;
	scene s;
	one(&s, &widget_kind, "{\"spec\": {\"active\": false}, \"metadata\": {\"url\": \"u\"}}", "{}");
	char *line = cf_render_summary_line(s.plan);
	assert_string_equal(line, "Plan: 0 to create, 1 to update, 0 to delete, 0 to activate, 1 to deactivate.");
	free(line);
	scene_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_shows_a_secret_as_sensitive_and_never_its_value),
		cmocka_unit_test(test_text_shows_a_changed_and_a_removed_secret_without_values),
		cmocka_unit_test(test_json_and_markdown_never_show_a_secret_value),
		cmocka_unit_test(test_a_secret_written_plainly_in_the_spec_is_shown_beside_sensitive),
		cmocka_unit_test(test_text_of_an_update_shows_before_and_after),
		cmocka_unit_test(test_text_of_a_create_shows_values_and_notes),
		cmocka_unit_test(test_text_shows_list_items_added_and_removed),
		cmocka_unit_test(test_text_says_when_list_items_only_moved),
		cmocka_unit_test(test_text_marks_replacements_and_lists_the_unverifiable),
		cmocka_unit_test(test_text_lists_the_unverifiable_when_nothing_changes),
		cmocka_unit_test(test_text_lists_the_unmanaged),
		cmocka_unit_test(test_text_of_no_changes),
		cmocka_unit_test(test_text_is_coloured_only_when_asked),
		cmocka_unit_test(test_json_marks_replacement_changes_with_replace_true),
		cmocka_unit_test(test_json_has_no_replace_key_on_other_changes),
		cmocka_unit_test(test_json_lists_the_unverifiable_with_kind_address_and_reason),
		cmocka_unit_test(test_json_has_an_empty_unverifiable_array_when_all_is_verifiable),
		cmocka_unit_test(test_json_summary_counts_every_action_and_the_unchanged),
		cmocka_unit_test(test_json_source_carries_paths_and_commit),
		cmocka_unit_test(test_markdown_marks_replacements_and_lists_the_unverifiable),
		cmocka_unit_test(test_markdown_escapes_pipes_and_backticks_in_cells),
		cmocka_unit_test(test_markdown_stays_within_its_cap_with_many_changes),
		cmocka_unit_test(test_markdown_stays_within_its_cap_with_many_unmanaged_and_unverifiable),
		cmocka_unit_test(test_markdown_stays_within_its_cap_with_long_unmanaged_addresses),
		cmocka_unit_test(test_markdown_skips_a_change_too_long_for_a_comment),
		cmocka_unit_test(test_summary_line_counts_each_action),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
