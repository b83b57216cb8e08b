/* plan: the optional kind hooks a vendor's kind may set: unverified (some
 * write-only values compared only partly) and delete_note (a delete that is
 * not one), on in-memory sets (tests/unit/inmem.h). One behaviour each. */
#include "tests/unit/inmem.h"

#define TAILS "2 variables compared by their last 4 characters only"

static char *tally_unverified(const cJSON *api)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(api, "partly")) ? cf_xstrdup(TAILS) : NULL;
}

static const cf_kind tally_kind = {
	.name = "Tally", .api_version = "test/v1", .noun = "tally", .has_name = true,
	.diff = widget_diff, .unverified = tally_unverified,
};

static const cf_kind shelf_kind = {
	.name = "Shelf", .api_version = "test/v1", .noun = "shelf", .has_name = true,
	.diff = widget_diff, .delete_note = "archived, not deleted: the API keeps archived shelves",
};

static void test_partly_compared_values_list_the_resource_as_unverifiable(void **state)
{
	(void)state;
	cf_resource_set *set = im_set();
	im_res(set, &tally_kind, "t", "{\"metadata\": {\"url\": \"https://a\"}}");
	cf_live *live = im_live();
	im_live_add(live, set, &tally_kind, "t", "{\"url\": \"https://a\", \"partly\": true}");
	cf_plan *p = im_plan(set, live, NULL);
	assert_int_equal(p->count, 0); /* not drift */
	assert_int_equal(p->nunverifiable, 1);
	assert_string_equal(p->unverifiable[0].address, "Tally/t");
	assert_string_equal(p->unverifiable[0].reason, TAILS);
	cf_plan_free(p);
	cf_live_free(live);
	cf_resource_set_free(set);
}

static void test_partly_compared_values_still_compare_the_other_fields(void **state)
{
	(void)state;
	cf_resource_set *set = im_set();
	im_res(set, &tally_kind, "t", "{\"metadata\": {\"url\": \"https://b\"}}");
	cf_live *live = im_live();
	im_live_add(live, set, &tally_kind, "t", "{\"url\": \"https://a\", \"partly\": true}");
	cf_plan *p = im_plan(set, live, NULL);
	const cf_change *c = im_find(p, CF_UPDATE, "Tally/t");
	assert_non_null(c);
	assert_false(c->replace);
	assert_non_null(im_field(&c->fields, "metadata.url"));
	assert_int_equal(p->nunverifiable, 1);
	cf_plan_free(p);
	cf_live_free(live);
	cf_resource_set_free(set);
}

static void test_a_fully_compared_resource_is_not_unverifiable(void **state)
{
	(void)state;
	cf_resource_set *set = im_set();
	im_res(set, &tally_kind, "t", "{\"metadata\": {\"url\": \"https://a\"}}");
	cf_live *live = im_live();
	im_live_add(live, set, &tally_kind, "t", "{\"url\": \"https://a\"}");
	cf_plan *p = im_plan(set, live, NULL);
	assert_int_equal(p->nunverifiable, 0);
	cf_plan_free(p);
	cf_live_free(live);
	cf_resource_set_free(set);
}

static void test_a_delete_note_goes_with_an_absent_resource_s_delete(void **state)
{
	(void)state;
	cf_resource_set *set = im_set();
	im_absent(set, &shelf_kind, "s");
	cf_live *live = im_live();
	im_live_add(live, set, &shelf_kind, "s", "{\"url\": \"https://a\"}");
	cf_plan *p = im_plan(set, live, NULL);
	const cf_change *c = im_find(p, CF_DELETE, "Shelf/s");
	assert_non_null(c);
	assert_int_equal(c->nnotes, 1);
	assert_string_equal(c->notes[0], shelf_kind.delete_note);
	cf_plan_free(p);
	cf_live_free(live);
	cf_resource_set_free(set);
}

static void test_a_delete_note_goes_with_a_pruned_resource_s_delete(void **state)
{
	(void)state;
	cf_resource_set *set = im_set();
	im_res(set, &shelf_kind, "kept", "{\"metadata\": {\"url\": \"https://a\"}}");
	cf_live *live = im_live();
	im_live_add(live, set, &shelf_kind, "kept", "{\"url\": \"https://a\"}");
	im_live_add(live, set, &shelf_kind, "old", "{\"url\": \"https://o\"}");
	cf_plan_opts opts = {.prune = true};
	cf_plan *p = im_plan(set, live, &opts);
	const cf_change *c = im_find(p, CF_DELETE, "Shelf/old");
	assert_non_null(c);
	assert_int_equal(c->nnotes, 1);
	assert_string_equal(c->notes[0], shelf_kind.delete_note);
	char *text = cf_render_text(p, NULL);
	assert_non_null(strstr(text, "# archived, not deleted: the API keeps archived shelves"));
	free(text);
	cf_plan_free(p);
	cf_live_free(live);
	cf_resource_set_free(set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_partly_compared_values_list_the_resource_as_unverifiable),
		cmocka_unit_test(test_partly_compared_values_still_compare_the_other_fields),
		cmocka_unit_test(test_a_fully_compared_resource_is_not_unverifiable),
		cmocka_unit_test(test_a_delete_note_goes_with_an_absent_resource_s_delete),
		cmocka_unit_test(test_a_delete_note_goes_with_a_pruned_resource_s_delete),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
