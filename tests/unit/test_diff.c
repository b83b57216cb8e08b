/* diff: desired against live, field by field, on in-memory documents and the
 * test kind's table (tests/unit/inmem.h). One behaviour each. */
#include "tests/unit/inmem.h"

/* The normalised live side of api, and the desired side of doc against it. */
typedef struct sides {
	cf_diff_ctx ctx;
	cJSON *live, *desired;
	cf_field_changes changes;
} sides;

static void diff_with(sides *s, const char *api, const char *doc, bool values_hidden)
{
	memset(s, 0, sizeof(*s));
	s->ctx.values_hidden = values_hidden;
	cJSON *a = api ? im_json(api) : NULL;
	s->live = api ? cf_diff_normalize(widget_diff, a, false, &s->ctx) : NULL;
	cJSON_Delete(a);
	s->ctx.live_norm = s->live;
	cJSON *d = im_json(doc);
	s->desired = cf_diff_normalize(widget_diff, d, true, &s->ctx);
	cJSON_Delete(d);
	assert_non_null(s->desired);
	cf_diff_compare(&s->changes, widget_diff, s->live, s->desired);
}

static void diff(sides *s, const char *api, const char *doc)
{
	diff_with(s, api, doc, false);
}

static void sides_free(sides *s)
{
	cJSON_Delete(s->live);
	cJSON_Delete(s->desired);
	cf_field_changes_free(&s->changes);
	cJSON_Delete(s->ctx.notes);
	free(s->ctx.error);
	free(s->ctx.error_path);
}

static const char *str_at(const cJSON *norm, const char *field)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(norm, field));
}

static const char *secret_md5(const cJSON *norm, const char *key)
{
	return cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(norm, "spec.env_vars"), key));
}

static void assert_secret_change(const cf_field_change *f, const char *path, const char *change)
{
	assert_non_null(f);
	assert_string_equal(f->path, path);
	assert_true(f->sensitive);
	assert_non_null(f->change);
	assert_string_equal(f->change, change);
	assert_null(f->before);
	assert_null(f->after);
	assert_null(f->plain);
}

static void test_a_missing_live_value_takes_the_fallback(void **state)
{
	(void)state;
	cf_diff_ctx ctx = {0};
	cJSON *api = im_json("{\"mode\": \"manual\"}");
	cJSON *n = cf_diff_normalize(widget_diff, api, false, &ctx);
	assert_string_equal(str_at(n, "metadata.url"), "");
	assert_string_equal(str_at(n, "spec.mode"), "manual");
	assert_true(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(n, "spec.rules")));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(n, "spec.rules")), 0);
	assert_true(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(n, "spec.env_vars")));
	assert_null(cJSON_GetObjectItemCaseSensitive(n, "spec.env_vars")->child);
	cJSON_Delete(n);
	cJSON_Delete(api);
}

static void test_a_null_live_value_takes_the_fallback(void **state)
{
	(void)state;
	cf_diff_ctx ctx = {0};
	cJSON *api = im_json("{\"url\": null, \"mode\": null}");
	cJSON *n = cf_diff_normalize(widget_diff, api, false, &ctx);
	assert_string_equal(str_at(n, "metadata.url"), "");
	assert_string_equal(str_at(n, "spec.mode"), "auto");
	cJSON_Delete(n);
	cJSON_Delete(api);
}

static void test_no_live_object_takes_every_fallback(void **state)
{
	(void)state;
	cf_diff_ctx ctx = {0};
	cJSON *n = cf_diff_normalize(widget_diff, NULL, false, &ctx);
	char *text = cJSON_PrintUnformatted(n);
	assert_string_equal(text, "{\"metadata.url\":\"\",\"spec.mode\":\"auto\",\"spec.rules\":[],\"spec.env_vars\":{}}");
	free(text);
	cJSON_Delete(n);
}

static void test_a_live_value_equal_to_the_fallback_is_no_change(void **state)
{
	(void)state;
	sides s;
	diff(&s, "{\"url\": \"\", \"mode\": \"auto\", \"rules\": [], \"env_vars\": []}", "{\"metadata\": {}}");
	assert_int_equal(s.changes.count, 0);
	sides_free(&s);
}

static void test_an_omitted_desired_field_that_keeps_live_keeps_live(void **state)
{
	(void)state;
	sides s;
	diff(&s, "{\"mode\": \"manual\"}", "{\"metadata\": {}}");
	assert_string_equal(str_at(s.desired, "spec.mode"), "manual");
	assert_null(im_field(&s.changes, "spec.mode"));
	assert_int_equal(s.changes.count, 0);
	sides_free(&s);
}

static void test_an_omitted_field_that_keeps_live_takes_the_fallback_with_no_live(void **state)
{
	(void)state;
	sides s;
	diff(&s, NULL, "{\"metadata\": {}}");
	assert_string_equal(str_at(s.desired, "spec.mode"), "auto");
	sides_free(&s);
}

static void test_an_omitted_field_that_does_not_keep_live_takes_the_fallback(void **state)
{
	(void)state;
	sides s;
	diff(&s, "{\"url\": \"https://a\"}", "{\"metadata\": {}}");
	assert_int_equal(s.changes.count, 1);
	const cf_field_change *f = im_field(&s.changes, "metadata.url");
	assert_non_null(f);
	assert_string_equal(f->before->valuestring, "https://a");
	assert_string_equal(f->after->valuestring, "");
	sides_free(&s);
}

static void test_a_written_field_that_keeps_live_is_compared(void **state)
{
	(void)state;
	sides s;
	diff(&s, "{\"mode\": \"manual\"}", "{\"spec\": {\"mode\": \"auto\"}}");
	const cf_field_change *f = im_field(&s.changes, "spec.mode");
	assert_non_null(f);
	assert_string_equal(f->before->valuestring, "manual");
	assert_string_equal(f->after->valuestring, "auto");
	sides_free(&s);
}

static void test_a_value_change_shows_before_and_after(void **state)
{
	(void)state;
	sides s;
	diff(&s, "{\"url\": \"https://a\"}", "{\"metadata\": {\"url\": \"https://b\"}}");
	assert_int_equal(s.changes.count, 1);
	const cf_field_change *f = &s.changes.items[0];
	assert_string_equal(f->path, "metadata.url");
	assert_false(f->sensitive);
	assert_false(f->list_items);
	assert_null(f->change);
	assert_string_equal(f->before->valuestring, "https://a");
	assert_string_equal(f->after->valuestring, "https://b");
	sides_free(&s);
}

static void test_changes_come_in_table_order(void **state)
{
	(void)state;
	sides s;
	diff(&s, "{\"url\": \"https://a\", \"mode\": \"manual\", \"rules\": [1], \"env_vars\": []}",
	     "{\"spec\": {\"env_vars\": [{\"name\": \"A\", \"value\": \"x\"}], \"rules\": [2], \"mode\": \"auto\"},"
	     " \"metadata\": {\"url\": \"https://b\"}}");
	assert_int_equal(s.changes.count, 4);
	assert_string_equal(s.changes.items[0].path, "metadata.url");
	assert_string_equal(s.changes.items[1].path, "spec.mode");
	assert_string_equal(s.changes.items[2].path, "spec.rules");
	assert_string_equal(s.changes.items[3].path, "spec.env_vars.A");
	sides_free(&s);
}

static void test_desired_secrets_are_hashed_to_md5(void **state)
{
	(void)state;
	sides s;
	diff(&s, NULL, "{\"spec\": {\"env_vars\": [{\"name\": \"TOKEN\", \"value\": \"hunter2\"}]}}");
	char md5[33];
	im_md5("hunter2", md5);
	assert_string_equal(secret_md5(s.desired, "TOKEN"), md5);
	char *text = cJSON_PrintUnformatted(s.desired);
	assert_null(strstr(text, "hunter2"));
	free(text);
	sides_free(&s);
}

static void test_secrets_with_the_same_md5_are_no_change(void **state)
{
	(void)state;
	char md5[33], *api;
	im_md5("hunter2", md5);
	api = cf_xasprintf("{\"env_vars\": [{\"name\": \"TOKEN\", \"value\": \"%s\"}]}", md5);
	sides s;
	diff(&s, api, "{\"spec\": {\"env_vars\": [{\"name\": \"TOKEN\", \"value\": \"hunter2\"}]}}");
	assert_int_equal(s.changes.count, 0);
	sides_free(&s);
	free(api);
}

static void test_live_md5s_compare_case_insensitively(void **state)
{
	(void)state;
	char md5[33], *api;
	im_md5("hunter2", md5);
	for (char *p = md5; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	api = cf_xasprintf("{\"env_vars\": [{\"name\": \"TOKEN\", \"value\": \"%s\"}]}", md5);
	sides s;
	diff(&s, api, "{\"spec\": {\"env_vars\": [{\"name\": \"TOKEN\", \"value\": \"hunter2\"}]}}");
	assert_int_equal(s.changes.count, 0);
	sides_free(&s);
	free(api);
}

static void test_secret_changes_report_added_changed_removed_without_values(void **state)
{
	(void)state;
	char a[33], b[33], *api;
	im_md5("old-a", a);
	im_md5("old-b", b);
	api = cf_xasprintf("{\"env_vars\": [{\"name\": \"A\", \"value\": \"%s\"}, {\"name\": \"B\", \"value\": \"%s\"}]}",
			   a, b);
	sides s;
	diff(&s, api, "{\"spec\": {\"env_vars\": [{\"name\": \"A\", \"value\": \"new-a\"},"
		      " {\"name\": \"C\", \"value\": \"new-c\"}]}}");
	assert_int_equal(s.changes.count, 3);
	assert_secret_change(&s.changes.items[0], "spec.env_vars.A", "changed");
	assert_secret_change(&s.changes.items[1], "spec.env_vars.C", "added");
	assert_secret_change(&s.changes.items[2], "spec.env_vars.B", "removed");
	sides_free(&s);
	free(api);
}

static void test_an_md5_placeholder_equals_the_live_value_with_that_md5(void **state)
{
	(void)state;
	char md5[33], upper[33], *api, *doc;
	im_md5("kept-secret", md5);
	memcpy(upper, md5, sizeof(upper));
	for (char *p = upper; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	api = cf_xasprintf("{\"env_vars\": [{\"name\": \"A\", \"value\": \"%s\"}]}", md5);
	doc = cf_xasprintf("{\"spec\": {\"env_vars\": [{\"name\": \"A\", \"value\": \"%s [md5]\"}]}}", upper);
	sides s;
	diff(&s, api, doc);
	assert_string_equal(secret_md5(s.desired, "A"), md5);
	assert_int_equal(s.changes.count, 0);
	sides_free(&s);
	free(api);
	free(doc);
}

static void test_an_md5_placeholder_of_another_md5_is_a_change(void **state)
{
	(void)state;
	char md5[33], other[33], *api, *doc;
	im_md5("live-secret", md5);
	im_md5("other-secret", other);
	api = cf_xasprintf("{\"env_vars\": [{\"name\": \"A\", \"value\": \"%s\"}]}", md5);
	doc = cf_xasprintf("{\"spec\": {\"env_vars\": [{\"name\": \"A\", \"value\": \"%s [md5]\"}]}}", other);
	sides s;
	diff(&s, api, doc);
	assert_int_equal(s.changes.count, 1);
	assert_secret_change(&s.changes.items[0], "spec.env_vars.A", "changed");
	sides_free(&s);
	free(api);
	free(doc);
}

static void test_bare_md5_hex_is_an_ordinary_value(void **state)
{
	(void)state;
	char md5[33], *api, *doc;
	im_md5("live-secret", md5);
	api = cf_xasprintf("{\"env_vars\": [{\"name\": \"A\", \"value\": \"%s\"}]}", md5);
	doc = cf_xasprintf("{\"spec\": {\"env_vars\": [{\"name\": \"A\", \"value\": \"%s\"}]}}", md5);
	sides s;
	diff(&s, api, doc);
	assert_int_equal(s.changes.count, 1);
	assert_secret_change(&s.changes.items[0], "spec.env_vars.A", "changed");
	sides_free(&s);
	free(api);
	free(doc);
}

static void test_a_live_true_entry_keeps_the_live_value(void **state)
{
	(void)state;
	char md5[33], *api;
	im_md5("kept", md5);
	api = cf_xasprintf("{\"env_vars\": [{\"name\": \"A\", \"value\": \"%s\"}]}", md5);
	sides s;
	diff(&s, api, "{\"spec\": {\"env_vars\": [{\"name\": \"A\", \"live\": true}]}}");
	assert_string_equal(secret_md5(s.desired, "A"), md5);
	assert_int_equal(s.changes.count, 0);
	sides_free(&s);
	free(api);
}

static void test_a_live_true_entry_with_no_live_value_is_added(void **state)
{
	(void)state;
	sides s;
	diff(&s, "{\"env_vars\": []}", "{\"spec\": {\"env_vars\": [{\"name\": \"A\", \"live\": true}]}}");
	assert_int_equal(s.changes.count, 1);
	assert_secret_change(&s.changes.items[0], "spec.env_vars.A", "added");
	sides_free(&s);
}

static void test_live_true_is_ignored_on_the_live_side(void **state)
{
	(void)state;
	cf_diff_ctx ctx = {0};
	cJSON *api = im_json("{\"env_vars\": [{\"name\": \"A\", \"live\": true}]}");
	cJSON *n = cf_diff_normalize(widget_diff, api, false, &ctx);
	assert_null(secret_md5(n, "A"));
	cJSON_Delete(n);
	cJSON_Delete(api);
}

static void test_with_values_hidden_only_keys_compare(void **state)
{
	(void)state;
	sides s;
	diff_with(&s, "{\"env_vars\": [{\"name\": \"A\", \"value\": \"whatever\"}, {\"name\": \"B\", \"value\": \"x\"}]}",
		  "{\"spec\": {\"env_vars\": [{\"name\": \"A\", \"value\": \"new\"}, {\"name\": \"C\", \"value\": \"c\"}]}}",
		  true);
	assert_string_equal(secret_md5(s.live, "A"), "");
	assert_string_equal(secret_md5(s.desired, "A"), "");
	assert_int_equal(s.changes.count, 2);
	assert_secret_change(&s.changes.items[0], "spec.env_vars.C", "added");
	assert_secret_change(&s.changes.items[1], "spec.env_vars.B", "removed");
	sides_free(&s);
}

static void test_with_values_hidden_placeholders_and_live_true_compare_by_key(void **state)
{
	(void)state;
	sides s;
	diff_with(&s, "{\"env_vars\": [{\"name\": \"A\", \"value\": \"x\"}, {\"name\": \"B\", \"value\": \"y\"}]}",
		  "{\"spec\": {\"env_vars\": [{\"name\": \"A\", \"live\": true},"
		  " {\"name\": \"B\", \"value\": \"0123456789abcdef0123456789abcdef [md5]\"}]}}",
		  true);
	assert_int_equal(s.changes.count, 0);
	sides_free(&s);
}

/* kind.h values_hidden: "its secret sets compare by key only". A live entry
 * that comes without its value (null, or no value key: the value is hidden)
 * still has its key. */
static void test_with_values_hidden_a_live_entry_without_a_value_still_counts(void **state)
{
	(void)state;
	sides s;
	diff_with(&s, "{\"env_vars\": [{\"name\": \"A\"}, {\"name\": \"B\", \"value\": null}]}",
		  "{\"spec\": {\"env_vars\": [{\"name\": \"A\", \"value\": \"a\"}, {\"name\": \"B\", \"value\": \"b\"}]}}",
		  true);
	bool have_a = secret_md5(s.live, "A") != NULL, have_b = secret_md5(s.live, "B") != NULL;
	size_t changes = s.changes.count;
	sides_free(&s);
	assert_true(have_a);
	assert_true(have_b);
	assert_int_equal(changes, 0);
}

static void test_list_items_fields_report_list_changes(void **state)
{
	(void)state;
	sides s;
	diff(&s, "{\"rules\": [{\"branch\": \"main\"}, {\"tag\": \"v*\"}]}",
	     "{\"spec\": {\"rules\": [{\"tag\": \"v*\"}, {\"branch\": \"dev\"}]}}");
	assert_int_equal(s.changes.count, 1);
	const cf_field_change *f = &s.changes.items[0];
	assert_string_equal(f->path, "spec.rules");
	assert_true(f->list_items);
	assert_false(f->sensitive);
	assert_int_equal(cJSON_GetArraySize(f->before), 2);
	assert_int_equal(cJSON_GetArraySize(f->after), 2);
	char *b = cJSON_PrintUnformatted(f->before), *a = cJSON_PrintUnformatted(f->after);
	assert_string_equal(b, "[{\"branch\":\"main\"},{\"tag\":\"v*\"}]");
	assert_string_equal(a, "[{\"tag\":\"v*\"},{\"branch\":\"dev\"}]");
	free(b);
	free(a);
	sides_free(&s);
}

static void test_a_reordered_list_is_a_change(void **state)
{
	(void)state;
	sides s;
	diff(&s, "{\"rules\": [1, 2]}", "{\"spec\": {\"rules\": [2, 1]}}");
	assert_int_equal(s.changes.count, 1);
	assert_true(s.changes.items[0].list_items);
	sides_free(&s);
}

static void test_a_create_compares_against_nothing(void **state)
{
	(void)state;
	sides s;
	diff(&s, NULL, "{\"metadata\": {\"url\": \"\"}, \"spec\": {\"env_vars\": [{\"name\": \"A\", \"value\": \"a\"}]}}");
	/* every value field is listed (before NULL), and each secret is added */
	assert_int_equal(s.changes.count, 4);
	for (size_t i = 0; i < 3; i++) {
		assert_null(s.changes.items[i].before);
		assert_non_null(s.changes.items[i].after);
	}
	assert_secret_change(&s.changes.items[3], "spec.env_vars.A", "added");
	sides_free(&s);
}

static void test_json_path_walks_dotted_keys(void **state)
{
	(void)state;
	cJSON *doc = im_json("{\"spec\": {\"a\": {\"b\": 7}}, \"x\": 1}");
	assert_int_equal(cf_json_path(doc, "spec.a.b")->valueint, 7);
	assert_int_equal(cf_json_path(doc, "x")->valueint, 1);
	assert_null(cf_json_path(doc, "spec.a.c"));
	assert_null(cf_json_path(doc, "x.y.z"));
	cJSON_Delete(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_missing_live_value_takes_the_fallback),
		cmocka_unit_test(test_a_null_live_value_takes_the_fallback),
		cmocka_unit_test(test_no_live_object_takes_every_fallback),
		cmocka_unit_test(test_a_live_value_equal_to_the_fallback_is_no_change),
		cmocka_unit_test(test_an_omitted_desired_field_that_keeps_live_keeps_live),
		cmocka_unit_test(test_an_omitted_field_that_keeps_live_takes_the_fallback_with_no_live),
		cmocka_unit_test(test_an_omitted_field_that_does_not_keep_live_takes_the_fallback),
		cmocka_unit_test(test_a_written_field_that_keeps_live_is_compared),
		cmocka_unit_test(test_a_value_change_shows_before_and_after),
		cmocka_unit_test(test_changes_come_in_table_order),
		cmocka_unit_test(test_desired_secrets_are_hashed_to_md5),
		cmocka_unit_test(test_secrets_with_the_same_md5_are_no_change),
		cmocka_unit_test(test_live_md5s_compare_case_insensitively),
		cmocka_unit_test(test_secret_changes_report_added_changed_removed_without_values),
		cmocka_unit_test(test_an_md5_placeholder_equals_the_live_value_with_that_md5),
		cmocka_unit_test(test_an_md5_placeholder_of_another_md5_is_a_change),
		cmocka_unit_test(test_bare_md5_hex_is_an_ordinary_value),
		cmocka_unit_test(test_a_live_true_entry_keeps_the_live_value),
		cmocka_unit_test(test_a_live_true_entry_with_no_live_value_is_added),
		cmocka_unit_test(test_live_true_is_ignored_on_the_live_side),
		cmocka_unit_test(test_with_values_hidden_only_keys_compare),
		cmocka_unit_test(test_with_values_hidden_placeholders_and_live_true_compare_by_key),
		cmocka_unit_test(test_with_values_hidden_a_live_entry_without_a_value_still_counts),
		cmocka_unit_test(test_list_items_fields_report_list_changes),
		cmocka_unit_test(test_a_reordered_list_is_a_change),
		cmocka_unit_test(test_a_create_compares_against_nothing),
		cmocka_unit_test(test_json_path_walks_dotted_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
