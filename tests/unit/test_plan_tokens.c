/* plan: tokens, fingerprints, replacements and placeholder checks, on in-memory
 * resource sets and live state (tests/unit/inmem.h). One behaviour each. */
#include "tests/unit/inmem.h"

#define URL_DOC(url) "{\"metadata\": {\"url\": \"" url "\"}}"

/* A set of one widget with doc, and live with api for it (NULL: none). */
typedef struct one {
	cf_resource_set *set;
	cf_live *live;
	cf_plan *plan;
} one;

static void one_plan(one *o, const cf_kind *k, const char *doc, const char *api, const cf_plan_opts *opts)
{
	o->set = im_set();
	im_res(o->set, k, "w", doc);
	o->live = im_live();
	if (api)
		im_live_add(o->live, o->set, k, "w", api);
	o->plan = im_plan(o->set, o->live, opts);
}

static void one_free(one *o)
{
	cf_plan_free(o->plan);
	cf_live_free(o->live);
	cf_resource_set_free(o->set);
}

/* The token of the plan's only change of desired doc against api. */
static void token_of(char out[37], const cf_kind *k, const char *doc, const char *api)
{
	one o;
	one_plan(&o, k, doc, api, NULL);
	assert_int_equal(o.plan->count, 1);
	memcpy(out, o.plan->changes[0].token, 37);
	one_free(&o);
}

static bool is_uuid_text(const char *s)
{
	return strlen(s) == 36 && cf_is_uuid(s);
}

static void test_tokens_are_stable_for_the_same_input(void **state)
{
	(void)state;
	char t1[37], t2[37];
	token_of(t1, &widget_kind, URL_DOC("https://b"), "{\"url\": \"https://a\"}");
	token_of(t2, &widget_kind, URL_DOC("https://b"), "{\"url\": \"https://a\"}");
	assert_true(is_uuid_text(t1));
	assert_string_equal(t1, t2);
	token_of(t1, &widget_kind, URL_DOC("https://b"), NULL);
	token_of(t2, &widget_kind, URL_DOC("https://b"), NULL);
	assert_true(is_uuid_text(t1));
	assert_string_equal(t1, t2);
}

static void test_tokens_differ_when_desired_differs(void **state)
{
	(void)state;
	char t1[37], t2[37];
	token_of(t1, &widget_kind, URL_DOC("https://b"), "{\"url\": \"https://a\"}");
	token_of(t2, &widget_kind, URL_DOC("https://c"), "{\"url\": \"https://a\"}");
	assert_string_not_equal(t1, t2);
	token_of(t1, &widget_kind, "{\"spec\": {\"env_vars\": [{\"name\": \"A\", \"value\": \"one\"}]}}", NULL);
	token_of(t2, &widget_kind, "{\"spec\": {\"env_vars\": [{\"name\": \"A\", \"value\": \"two\"}]}}", NULL);
	assert_string_not_equal(t1, t2);
}

static void test_tokens_differ_when_live_differs(void **state)
{
	(void)state;
	char t1[37], t2[37];
	token_of(t1, &widget_kind, URL_DOC("https://b"), "{\"url\": \"https://a\"}");
	token_of(t2, &widget_kind, URL_DOC("https://b"), "{\"url\": \"https://z\"}");
	assert_string_not_equal(t1, t2);
	token_of(t1, &widget_kind, URL_DOC("https://b"), "{\"url\": \"https://a\", \"mode\": \"manual\"}");
	assert_string_not_equal(t1, t2);
}

static void test_absent_delete_tokens_differ_when_live_differs(void **state)
{
	(void)state;
	char t[2][37];
	for (int i = 0; i < 2; i++) {
		cf_resource_set *set = im_set();
		im_absent(set, &widget_kind, "w");
		cf_live *live = im_live();
		im_live_add(live, set, &widget_kind, "w", i ? "{\"url\": \"https://b\"}" : "{\"url\": \"https://a\"}");
		cf_plan *plan = im_plan(set, live, NULL);
		assert_int_equal(plan->count, 1);
		memcpy(t[i], plan->changes[0].token, 37);
		cf_plan_free(plan);
		cf_live_free(live);
		cf_resource_set_free(set);
	}
	assert_true(is_uuid_text(t[0]));
	assert_string_not_equal(t[0], t[1]);
}

/* plan.h: every delete's token is "derived from its address, the live state it
 * was planned against and the desired state"; a prune's delete of another
 * live resource at the same address (another id, other values) is another
 * delete. */
static void test_prune_delete_tokens_differ_when_live_differs(void **state)
{
	(void)state;
	char t[2][37];
	for (int i = 0; i < 2; i++) {
		cf_resource_set *set = im_set();
		cf_live *live = im_live();
		cf_live_add(live, set, &widget_kind, "Widget/x", i ? "id-2" : "id-1", NULL, "x",
			    im_json(i ? "{\"url\": \"https://b\"}" : "{\"url\": \"https://a\"}"));
		cf_plan *plan = im_plan(set, live, &(cf_plan_opts){.prune = true});
		assert_int_equal(plan->count, 1);
		memcpy(t[i], plan->changes[0].token, 37);
		cf_plan_free(plan);
		cf_live_free(live);
		cf_resource_set_free(set);
	}
	assert_true(is_uuid_text(t[0]));
	assert_string_not_equal(t[0], t[1]);
}

static void test_tokens_differ_between_changes_of_a_plan(void **state)
{
	(void)state;
	cf_resource_set *set = im_set();
	im_res(set, &widget_kind, "a", URL_DOC("https://x"));
	im_res(set, &widget_kind, "b", URL_DOC("https://x"));
	cf_live *live = im_live();
	cf_plan *plan = im_plan(set, live, NULL);
	assert_int_equal(plan->count, 2);
	assert_string_not_equal(plan->changes[0].token, plan->changes[1].token);
	cf_plan_free(plan);
	cf_live_free(live);
	cf_resource_set_free(set);
}

typedef struct fps {
	char specs[65], live[65];
} fps;

/* The fingerprints of a (doc_a) and b of kind k, against live a (api_a). */
static fps fingerprints_of(const cf_kind *k, const char *doc_a, const char *api_a, bool b_first)
{
	cf_resource_set *set = im_set();
	if (b_first)
		im_res(set, k, "b", URL_DOC("https://b"));
	im_res(set, k, "a", doc_a);
	if (!b_first)
		im_res(set, k, "b", URL_DOC("https://b"));
	cf_live *live = im_live();
	if (b_first)
		im_live_add(live, set, k, "x", "{\"url\": \"https://x\"}");
	im_live_add(live, set, k, "a", api_a);
	if (!b_first)
		im_live_add(live, set, k, "x", "{\"url\": \"https://x\"}");
	cf_plan *plan = im_plan(set, live, NULL);
	fps f;
	memcpy(f.specs, plan->specs_fingerprint, 65);
	memcpy(f.live, plan->live_fingerprint, 65);
	assert_int_equal(strlen(f.specs), 64);
	assert_int_equal(strlen(f.live), 64);
	cf_plan_free(plan);
	cf_live_free(live);
	cf_resource_set_free(set);
	return f;
}

static fps fingerprints(const char *doc_a, const char *api_a, bool b_first)
{
	return fingerprints_of(&widget_kind, doc_a, api_a, b_first);
}

static void test_fingerprints_are_stable_for_the_same_input(void **state)
{
	(void)state;
	fps x = fingerprints(URL_DOC("https://a"), "{\"url\": \"https://a\"}", false);
	fps y = fingerprints(URL_DOC("https://a"), "{\"url\": \"https://a\"}", false);
	assert_string_equal(x.specs, y.specs);
	assert_string_equal(x.live, y.live);
	assert_string_not_equal(x.specs, x.live);
}

static void test_fingerprints_do_not_depend_on_order(void **state)
{
	(void)state;
	fps x = fingerprints(URL_DOC("https://a"), "{\"url\": \"https://a\"}", false);
	fps y = fingerprints(URL_DOC("https://a"), "{\"url\": \"https://a\"}", true);
	assert_string_equal(x.specs, y.specs);
	assert_string_equal(x.live, y.live);
}

static void test_specs_fingerprint_changes_when_the_specs_change(void **state)
{
	(void)state;
	fps x = fingerprints(URL_DOC("https://a"), "{\"url\": \"https://a\"}", false);
	fps y = fingerprints(URL_DOC("https://c"), "{\"url\": \"https://a\"}", false);
	assert_string_not_equal(x.specs, y.specs);
	assert_string_equal(x.live, y.live);
	y = fingerprints("{\"metadata\": {\"url\": \"https://a\"}, \"spec\": {\"active\": false}}",
			 "{\"url\": \"https://a\"}", false);
	assert_string_not_equal(x.specs, y.specs);
}

static void test_specs_fingerprint_changes_when_a_secret_value_changes(void **state)
{
	(void)state;
	fps x = fingerprints("{\"spec\": {\"env_vars\": [{\"name\": \"A\", \"value\": \"one\"}]}}", "{}", false);
	fps y = fingerprints("{\"spec\": {\"env_vars\": [{\"name\": \"A\", \"value\": \"two\"}]}}", "{}", false);
	assert_string_not_equal(x.specs, y.specs);
}

/* The same for a kind whose live values are hidden: the plan cannot see the
 * change, but a saved plan must still be refused once the specs differ (the
 * replacement it carries would send the new value). */
static void test_specs_fingerprint_changes_when_a_secret_value_of_a_hidden_kind_changes(void **state)
{
	(void)state;
	const char *api = "{\"env_vars\": [{\"name\": \"A\", \"value\": \"\"}]}";
	fps x = fingerprints_of(&vault_kind, "{\"spec\": {\"env_vars\": [{\"name\": \"A\", \"value\": \"one\"}]}}", api,
				false);
	fps y = fingerprints_of(&vault_kind, "{\"spec\": {\"env_vars\": [{\"name\": \"A\", \"value\": \"two\"}]}}", api,
				false);
	assert_string_not_equal(x.specs, y.specs);
}

static void test_live_fingerprint_changes_when_live_changes(void **state)
{
	(void)state;
	fps x = fingerprints(URL_DOC("https://a"), "{\"url\": \"https://a\"}", false);
	fps y = fingerprints(URL_DOC("https://a"), "{\"url\": \"https://z\"}", false);
	assert_string_not_equal(x.live, y.live);
	assert_string_equal(x.specs, y.specs);
	y = fingerprints(URL_DOC("https://a"), "{\"url\": \"https://a\", \"active\": false}", false);
	assert_string_not_equal(x.live, y.live);
	y = fingerprints(URL_DOC("https://a"), "{\"url\": \"https://a\", \"state\": \"BROKEN\"}", false);
	assert_string_not_equal(x.live, y.live);
}

static void test_live_fingerprint_covers_unmanaged_resources(void **state)
{
	(void)state;
	cf_resource_set *set = im_set();
	cf_live *live = im_live();
	cf_plan *none = im_plan(set, live, NULL);
	im_live_add(live, set, &widget_kind, "x", "{}");
	cf_plan *one_unmanaged = im_plan(set, live, NULL);
	assert_string_not_equal(none->live_fingerprint, one_unmanaged->live_fingerprint);
	assert_string_equal(none->specs_fingerprint, one_unmanaged->specs_fingerprint);
	cf_plan_free(none);
	cf_plan_free(one_unmanaged);
	cf_live_free(live);
	cf_resource_set_free(set);
}

/* The specs fingerprint says whether the specs changed since a saved plan
 * (plan_file.c: "the specs changed since it was made"); a field the spec
 * leaves out, which keeps the live value, is not part of the specs. */
static void test_specs_fingerprint_does_not_change_when_only_live_changes(void **state)
{
	(void)state;
	fps x = fingerprints(URL_DOC("https://a"), "{\"url\": \"https://a\", \"mode\": \"manual\"}", false);
	fps y = fingerprints(URL_DOC("https://a"), "{\"url\": \"https://a\", \"mode\": \"auto\"}", false);
	assert_string_not_equal(x.live, y.live);
	assert_string_equal(x.specs, y.specs);
}

/* values_hidden (vault_kind) */

static void test_values_hidden_lists_the_resource_as_unverifiable(void **state)
{
	(void)state;
	one o;
	one_plan(&o, &vault_kind, "{\"spec\": {\"env_vars\": [{\"name\": \"A\", \"value\": \"new\"}]}}",
		 "{\"env_vars\": [{\"name\": \"A\", \"value\": \"old\"}]}", NULL);
	assert_int_equal(o.plan->count, 0);
	assert_int_equal(o.plan->unchanged, 1);
	assert_int_equal(o.plan->nunverifiable, 1);
	assert_ptr_equal(o.plan->unverifiable[0].kind, &vault_kind);
	assert_string_equal(o.plan->unverifiable[0].address, "Vault/w");
	assert_string_equal(o.plan->unverifiable[0].reason, HIDDEN_REASON);
	one_free(&o);
}

static void test_values_hidden_with_no_live_is_a_plain_create(void **state)
{
	(void)state;
	one o;
	one_plan(&o, &vault_kind, "{\"spec\": {\"env_vars\": [{\"name\": \"A\", \"value\": \"new\"}]}}", NULL, NULL);
	assert_int_equal(o.plan->count, 1);
	assert_int_equal(o.plan->changes[0].action, CF_CREATE);
	assert_false(o.plan->changes[0].replace);
	assert_int_equal(o.plan->nunverifiable, 0);
	assert_int_equal(o.plan->replacements, 0);
	one_free(&o);
}

static void test_values_hidden_turns_a_change_into_a_replace_pair_delete_first(void **state)
{
	(void)state;
	one o;
	one_plan(&o, &vault_kind,
		 "{\"metadata\": {\"url\": \"https://b\"}, \"spec\": {\"env_vars\": [{\"name\": \"A\", \"value\": \"a\"},"
		 " {\"name\": \"B\", \"value\": \"b\"}]}}",
		 "{\"url\": \"https://a\", \"env_vars\": [{\"name\": \"A\", \"value\": \"x\"}]}", NULL);
	assert_int_equal(o.plan->count, 2);
	assert_int_equal(o.plan->replacements, 1);
	assert_int_equal(o.plan->nunverifiable, 1);
	const cf_change *del = &o.plan->changes[0], *cr = &o.plan->changes[1];
	assert_int_equal(del->action, CF_DELETE);
	assert_true(del->replace);
	assert_string_equal(del->address, "Vault/w");
	assert_string_equal(del->id, "id-w");
	assert_int_equal(del->fields.count, 0);
	assert_int_equal(cr->action, CF_CREATE);
	assert_true(cr->replace);
	assert_string_equal(cr->address, "Vault/w");
	assert_null(cr->id);
	assert_non_null(im_field(&cr->fields, "metadata.url"));
	assert_non_null(im_field(&cr->fields, "spec.env_vars.B"));
	assert_null(im_field(&cr->fields, "spec.env_vars.A")); /* names only */
	assert_int_equal(o.plan->counts[CF_DELETE], 1);
	assert_int_equal(o.plan->counts[CF_CREATE], 1);
	assert_int_equal(o.plan->counts[CF_UPDATE], 0);
	assert_int_equal(o.plan->unchanged, 0);
	assert_true(cf_plan_phase(del) < cf_plan_phase(cr));
	assert_string_not_equal(del->token, cr->token);
	one_free(&o);
}

static void test_values_hidden_replacement_is_a_delete_first_among_other_changes(void **state)
{
	(void)state;
	cf_resource_set *set = im_set();
	im_res(set, &vault_kind, "a", URL_DOC("https://new"));
	im_res(set, &vault_kind, "b", URL_DOC("https://new"));
	cf_live *live = im_live();
	im_live_add(live, set, &vault_kind, "b", "{\"url\": \"https://old\"}");
	cf_plan *plan = im_plan(set, live, NULL);
	assert_int_equal(plan->count, 3);
	assert_int_equal(plan->changes[0].action, CF_DELETE);
	assert_string_equal(plan->changes[0].address, "Vault/b");
	assert_int_equal(plan->changes[1].action, CF_CREATE);
	assert_string_equal(plan->changes[1].address, "Vault/a");
	assert_false(plan->changes[1].replace);
	assert_int_equal(plan->changes[2].action, CF_CREATE);
	assert_string_equal(plan->changes[2].address, "Vault/b");
	assert_true(plan->changes[2].replace);
	cf_plan_free(plan);
	cf_live_free(live);
	cf_resource_set_free(set);
}

static void test_values_hidden_placeholder_in_a_replacement_is_an_error(void **state)
{
	(void)state;
	cf_resource_set *set = im_set();
	im_res(set, &vault_kind, "w",
	       "{\"metadata\": {\"url\": \"https://b\"}, \"spec\": {\"env_vars\": "
	       "[{\"name\": \"A\", \"value\": \"0123456789abcdef0123456789abcdef [md5]\"}]}}");
	cf_live *live = im_live();
	im_live_add(live, set, &vault_kind, "w", "{\"url\": \"https://a\", \"env_vars\": [{\"name\": \"A\", \"value\": \"\"}]}");
	char *p = im_plan_problems(set, live, NULL);
	assert_string_equal(p, "spec.env_vars.A: Vault/w must be replaced (the server cannot update it while its values "
			       "are hidden), which sends every value, but this entry only keeps the live one (an [md5] "
			       "placeholder): write its value\n");
	free(p);
	cf_live_free(live);
	cf_resource_set_free(set);
}

static void test_values_hidden_live_true_in_a_replacement_is_an_error(void **state)
{
	(void)state;
	cf_resource_set *set = im_set();
	im_res(set, &vault_kind, "w",
	       "{\"metadata\": {\"url\": \"https://b\"}, \"spec\": {\"env_vars\": [{\"name\": \"A\", \"live\": true}]}}");
	cf_live *live = im_live();
	im_live_add(live, set, &vault_kind, "w", "{\"url\": \"https://a\", \"env_vars\": [{\"name\": \"A\", \"value\": \"\"}]}");
	char *p = im_plan_problems(set, live, NULL);
	assert_string_equal(p, "spec.env_vars.A: Vault/w must be replaced (the server cannot update it while its values "
			       "are hidden), which sends every value, but this entry only keeps the live one (valueFrom: "
			       "{live: true}): write its value\n");
	free(p);
	cf_live_free(live);
	cf_resource_set_free(set);
}

static void test_values_hidden_placeholder_without_a_change_is_no_error(void **state)
{
	(void)state;
	one o;
	one_plan(&o, &vault_kind, "{\"spec\": {\"env_vars\": [{\"name\": \"A\", \"live\": true}]}}",
		 "{\"env_vars\": [{\"name\": \"A\", \"value\": \"\"}]}", NULL);
	assert_int_equal(o.plan->count, 0);
	assert_int_equal(o.plan->nunverifiable, 1);
	one_free(&o);
}

static void test_a_placeholder_with_no_live_value_is_an_error(void **state)
{
	(void)state;
	cf_resource_set *set = im_set();
	im_res(set, &widget_kind, "w",
	       "{\"spec\": {\"env_vars\": [{\"name\": \"A\", \"value\": \"0123456789abcdef0123456789abcdef [md5]\"}]}}");
	cf_live *live = im_live();
	im_live_add(live, set, &widget_kind, "w", "{}");
	char *p = im_plan_problems(set, live, NULL);
	assert_string_equal(p, "spec.env_vars.A: the [md5] placeholder keeps a live value, but the live widget has no "
			       "such entry\n");
	free(p);
	cf_live_free(live);
	cf_resource_set_free(set);
}

static void test_a_placeholder_of_another_md5_is_an_error_that_names_no_md5(void **state)
{
	(void)state;
	char md5[33];
	im_md5("live", md5);
	char *api = cf_xasprintf("{\"env_vars\": [{\"name\": \"A\", \"value\": \"%s\"}]}", md5);
	cf_resource_set *set = im_set();
	im_res(set, &widget_kind, "w",
	       "{\"spec\": {\"env_vars\": [{\"name\": \"A\", \"value\": \"0123456789abcdef0123456789abcdef [md5]\"}]}}");
	cf_live *live = im_live();
	im_live_add(live, set, &widget_kind, "w", api);
	char *p = im_plan_problems(set, live, NULL);
	assert_string_equal(p, "spec.env_vars.A: the [md5] placeholder keeps a live value, but the live widget has a "
			       "value with a different MD5\n");
	assert_null(strstr(p, md5));
	assert_null(strstr(p, "0123456789abcdef"));
	free(p);
	free(api);
	cf_live_free(live);
	cf_resource_set_free(set);
}

static void test_live_true_with_no_live_value_is_an_error(void **state)
{
	(void)state;
	cf_resource_set *set = im_set();
	im_res(set, &widget_kind, "w", "{\"spec\": {\"env_vars\": [{\"name\": \"A\", \"live\": true}]}}");
	cf_live *live = im_live();
	im_live_add(live, set, &widget_kind, "w", "{}");
	char *p = im_plan_problems(set, live, NULL);
	assert_string_equal(p, "spec.env_vars.A: the entry keeps the live value, but Widget/w has no "
			       "such entry live\n");
	free(p);
	cf_live_free(live);
	cf_resource_set_free(set);
}

/* A kind whose normaliser refuses a desired spec.mode of "refuse" (as a
 * vendor's does for an unknown role), and notes whether it was handed a
 * live_norm while normalising the live side (which comes first, so there is
 * none yet). */
static bool stale_live_norm_seen;

static cJSON *norm_mode(const cJSON *v, bool desired, cf_diff_ctx *ctx)
{
	if (!desired && ctx->live_norm)
		stale_live_norm_seen = true;
	if (desired && cJSON_IsString(v) && !strcmp(v->valuestring, "refuse")) {
		free(ctx->error);
		free(ctx->error_path);
		ctx->error_path = cf_xstrdup("spec.mode");
		ctx->error = cf_xstrdup("spec.mode: refused");
		return NULL;
	}
	return cJSON_Duplicate(v, 1);
}

static const cf_diff_field checked_diff[] = {
	{.name = "spec.mode", .desired = "spec.mode", .live = "mode", .fallback = "\"auto\"", .type = CF_D_VALUE,
	 .normalize = norm_mode},
	{.name = NULL},
};

static const cf_kind checked_kind = {.name = "Checked", .noun = "checked", .has_name = true, .diff = checked_diff};

static void test_a_normaliser_error_is_a_problem_at_the_manifest(void **state)
{
	(void)state;
	cf_resource_set *set = im_set();
	im_res(set, &checked_kind, "a", "{\"spec\": {\"mode\": \"refuse\"}}");
	cf_live *live = im_live();
	char *p = im_plan_problems(set, live, NULL);
	assert_string_equal(p, "spec.mode: refused\n");
	free(p);
	cf_live_free(live);
	cf_resource_set_free(set);
}

/* plan.c plan_resource returns early when the desired side fails, leaving
 * ctx.live_norm at the live side it has just freed: the next resource's
 * live normalisers see it (a use after free under ASan). */
static void test_a_normaliser_error_leaves_no_live_state_to_the_next_resource(void **state)
{
	(void)state;
	cf_resource_set *set = im_set();
	im_res(set, &checked_kind, "a", "{\"spec\": {\"mode\": \"refuse\"}}");
	im_res(set, &checked_kind, "b", "{\"spec\": {\"mode\": \"manual\"}}");
	cf_live *live = im_live();
	im_live_add(live, set, &checked_kind, "a", "{\"mode\": \"auto\"}");
	im_live_add(live, set, &checked_kind, "b", "{\"mode\": \"auto\"}");
	stale_live_norm_seen = false;
	char *p = im_plan_problems(set, live, NULL);
	assert_string_equal(p, "spec.mode: refused\n");
	free(p);
	cf_live_free(live);
	cf_resource_set_free(set);
	assert_false(stale_live_norm_seen);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tokens_are_stable_for_the_same_input),
		cmocka_unit_test(test_tokens_differ_when_desired_differs),
		cmocka_unit_test(test_tokens_differ_when_live_differs),
		cmocka_unit_test(test_absent_delete_tokens_differ_when_live_differs),
		cmocka_unit_test(test_prune_delete_tokens_differ_when_live_differs),
		cmocka_unit_test(test_tokens_differ_between_changes_of_a_plan),
		cmocka_unit_test(test_fingerprints_are_stable_for_the_same_input),
		cmocka_unit_test(test_fingerprints_do_not_depend_on_order),
		cmocka_unit_test(test_specs_fingerprint_changes_when_the_specs_change),
		cmocka_unit_test(test_specs_fingerprint_changes_when_a_secret_value_changes),
		cmocka_unit_test(test_specs_fingerprint_changes_when_a_secret_value_of_a_hidden_kind_changes),
		cmocka_unit_test(test_live_fingerprint_changes_when_live_changes),
		cmocka_unit_test(test_live_fingerprint_covers_unmanaged_resources),
		cmocka_unit_test(test_specs_fingerprint_does_not_change_when_only_live_changes),
		cmocka_unit_test(test_values_hidden_lists_the_resource_as_unverifiable),
		cmocka_unit_test(test_values_hidden_with_no_live_is_a_plain_create),
		cmocka_unit_test(test_values_hidden_turns_a_change_into_a_replace_pair_delete_first),
		cmocka_unit_test(test_values_hidden_replacement_is_a_delete_first_among_other_changes),
		cmocka_unit_test(test_values_hidden_placeholder_in_a_replacement_is_an_error),
		cmocka_unit_test(test_values_hidden_live_true_in_a_replacement_is_an_error),
		cmocka_unit_test(test_values_hidden_placeholder_without_a_change_is_no_error),
		cmocka_unit_test(test_a_placeholder_with_no_live_value_is_an_error),
		cmocka_unit_test(test_a_placeholder_of_another_md5_is_an_error_that_names_no_md5),
		cmocka_unit_test(test_live_true_with_no_live_value_is_an_error),
		cmocka_unit_test(test_a_normaliser_error_is_a_problem_at_the_manifest),
		cmocka_unit_test(test_a_normaliser_error_leaves_no_live_state_to_the_next_resource),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
