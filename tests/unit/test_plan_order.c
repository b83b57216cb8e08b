/* plan: actions, unmanaged and --target, and the provider phase order, on in-memory
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

static void test_no_live_is_a_create(void **state)
{
	(void)state;
	one o;
	one_plan(&o, &widget_kind, URL_DOC("https://a"), NULL, NULL);
	assert_int_equal(o.plan->count, 1);
	const cf_change *c = &o.plan->changes[0];
	assert_int_equal(c->action, CF_CREATE);
	assert_string_equal(c->address, "Widget/w");
	assert_string_equal(c->name, "w");
	assert_null(c->id);
	assert_null(c->live);
	assert_ptr_equal(c->res, &o.set->items[0]);
	assert_false(c->replace);
	assert_int_equal(o.plan->counts[CF_CREATE], 1);
	assert_int_equal(o.plan->unchanged, 0);
	assert_true(cf_plan_has_changes(o.plan));
	one_free(&o);
}

static void test_a_create_notes_the_default_of_an_omitted_field(void **state)
{
	(void)state;
	one o;
	one_plan(&o, &widget_kind, URL_DOC("https://a"), NULL, NULL);
	const cf_change *c = &o.plan->changes[0];
	assert_null(im_field(&c->fields, "spec.mode"));
	assert_int_equal(c->nnotes, 1);
	assert_string_equal(c->notes[0], "spec.mode: not in the spec: the server's default, auto");
	one_free(&o);
}

static void test_an_empty_list_is_noted(void **state)
{
	(void)state;
	one o;
	one_plan(&o, &widget_kind, "{\"spec\": {\"rules\": [], \"mode\": \"auto\"}}", "{\"rules\": [1]}", NULL);
	const cf_change *c = im_find(o.plan, CF_UPDATE, "Widget/w");
	assert_non_null(c);
	assert_int_equal(c->nnotes, 1);
	assert_string_equal(c->notes[0], "spec.rules is empty: nothing matches");
	one_free(&o);
}

static void test_differing_fields_are_an_update(void **state)
{
	(void)state;
	one o;
	one_plan(&o, &widget_kind, URL_DOC("https://b"), "{\"url\": \"https://a\"}", NULL);
	assert_int_equal(o.plan->count, 1);
	const cf_change *c = &o.plan->changes[0];
	assert_int_equal(c->action, CF_UPDATE);
	assert_string_equal(c->id, "id-w");
	assert_non_null(c->live);
	assert_false(c->secrets);
	assert_int_equal(c->fields.count, 1);
	assert_string_equal(c->fields.items[0].path, "metadata.url");
	assert_int_equal(o.plan->counts[CF_UPDATE], 1);
	assert_int_equal(o.plan->unchanged, 0);
	one_free(&o);
}

static void test_a_secret_change_is_an_update_that_sends_secrets(void **state)
{
	(void)state;
	one o;
	one_plan(&o, &widget_kind, "{\"spec\": {\"env_vars\": [{\"name\": \"A\", \"value\": \"a\"}]}}", "{}", NULL);
	const cf_change *c = im_find(o.plan, CF_UPDATE, "Widget/w");
	assert_non_null(c);
	assert_true(c->secrets);
	one_free(&o);
}

static void test_equal_fields_are_no_change_and_count_as_unchanged(void **state)
{
	(void)state;
	one o;
	one_plan(&o, &widget_kind, URL_DOC("https://a"), "{\"url\": \"https://a\", \"mode\": \"manual\"}", NULL);
	assert_int_equal(o.plan->count, 0);
	assert_int_equal(o.plan->unchanged, 1);
	assert_false(cf_plan_has_changes(o.plan));
	one_free(&o);
}

static void test_ensure_absent_is_a_delete(void **state)
{
	(void)state;
	cf_resource_set *set = im_set();
	im_absent(set, &widget_kind, "w");
	cf_live *live = im_live();
	im_live_add(live, set, &widget_kind, "w", "{\"url\": \"https://a\"}");
	cf_plan *plan = im_plan(set, live, NULL);
	assert_int_equal(plan->count, 1);
	const cf_change *c = &plan->changes[0];
	assert_int_equal(c->action, CF_DELETE);
	assert_string_equal(c->id, "id-w");
	assert_ptr_equal(c->res, &set->items[0]);
	assert_false(c->replace);
	assert_int_equal(plan->counts[CF_DELETE], 1);
	cf_plan_free(plan);
	cf_live_free(live);
	cf_resource_set_free(set);
}

static void test_ensure_absent_with_nothing_live_is_unchanged(void **state)
{
	(void)state;
	cf_resource_set *set = im_set();
	im_absent(set, &widget_kind, "w");
	cf_live *live = im_live();
	cf_plan *plan = im_plan(set, live, NULL);
	assert_int_equal(plan->count, 0);
	assert_int_equal(plan->unchanged, 1);
	cf_plan_free(plan);
	cf_live_free(live);
	cf_resource_set_free(set);
}

static void test_spec_active_false_is_a_deactivate(void **state)
{
	(void)state;
	one o;
	one_plan(&o, &widget_kind, "{\"spec\": {\"active\": false}}", "{\"active\": true}", NULL);
	assert_int_equal(o.plan->count, 1);
	assert_int_equal(o.plan->changes[0].action, CF_DEACTIVATE);
	assert_int_equal(o.plan->counts[CF_DEACTIVATE], 1);
	one_free(&o);
}

static void test_an_inactive_live_resource_is_activated(void **state)
{
	(void)state;
	one o;
	one_plan(&o, &widget_kind, "{}", "{\"active\": false}", NULL);
	assert_int_equal(o.plan->count, 1);
	assert_int_equal(o.plan->changes[0].action, CF_ACTIVATE);
	one_free(&o);
}

/* Two widgets managed (a, b), two live only (x, y). */
static void unmanaged_scene(cf_resource_set **set, cf_live **live)
{
	*set = im_set();
	im_res(*set, &widget_kind, "a", "{}");
	im_res(*set, &widget_kind, "b", "{}");
	*live = im_live();
	im_live_add(*live, *set, &widget_kind, "y", "{}");
	im_live_add(*live, *set, &widget_kind, "a", "{}");
	im_live_add(*live, *set, &widget_kind, "x", "{}");
}

static void test_unmanaged_are_listed_without_prune(void **state)
{
	(void)state;
	cf_resource_set *set;
	cf_live *live;
	unmanaged_scene(&set, &live);
	cf_plan *plan = im_plan(set, live, NULL);
	assert_int_equal(plan->nunmanaged, 2);
	assert_string_equal(plan->unmanaged[0].address, "Widget/y");
	assert_string_equal(plan->unmanaged[0].id, "id-y");
	assert_ptr_equal(plan->unmanaged[0].kind, &widget_kind);
	assert_string_equal(plan->unmanaged[1].address, "Widget/x");
	assert_int_equal(plan->counts[CF_DELETE], 0);
	assert_int_equal(plan->count, 1); /* Widget/b: a create */
	assert_int_equal(plan->changes[0].action, CF_CREATE);
	assert_int_equal(plan->unchanged, 1);
	cf_plan_free(plan);
	cf_live_free(live);
	cf_resource_set_free(set);
}

static void test_unmanaged_are_deleted_with_prune(void **state)
{
	(void)state;
	cf_resource_set *set;
	cf_live *live;
	unmanaged_scene(&set, &live);
	cf_plan *plan = im_plan(set, live, &(cf_plan_opts){.prune = true});
	assert_int_equal(plan->nunmanaged, 0);
	assert_int_equal(plan->counts[CF_DELETE], 2);
	const cf_change *x = im_find(plan, CF_DELETE, "Widget/x"), *y = im_find(plan, CF_DELETE, "Widget/y");
	assert_non_null(x);
	assert_non_null(y);
	assert_null(x->res);
	assert_string_equal(x->id, "id-x");
	assert_non_null(x->live);
	assert_int_not_equal(x->token[0], '\0');
	/* deletes come after the create, in address order */
	assert_int_equal(plan->changes[0].action, CF_CREATE);
	assert_ptr_equal(&plan->changes[1], x);
	assert_ptr_equal(&plan->changes[2], y);
	cf_plan_free(plan);
	cf_live_free(live);
	cf_resource_set_free(set);
}

static void test_targets_limit_the_plan_to_their_addresses(void **state)
{
	(void)state;
	cf_resource_set *set;
	cf_live *live;
	unmanaged_scene(&set, &live);
	const char *const targets[] = {"Widget/b", "Widget/x", NULL};
	cf_plan *plan = im_plan(set, live, &(cf_plan_opts){.prune = true, .targets = targets});
	assert_int_equal(plan->count, 2);
	assert_non_null(im_find(plan, CF_CREATE, "Widget/b"));
	assert_non_null(im_find(plan, CF_DELETE, "Widget/x"));
	assert_null(im_find(plan, CF_DELETE, "Widget/y"));
	assert_int_equal(plan->unchanged, 0); /* Widget/a is not looked at */
	cf_plan_free(plan);
	cf_live_free(live);
	cf_resource_set_free(set);
}

static void test_targets_limit_the_unmanaged_list(void **state)
{
	(void)state;
	cf_resource_set *set;
	cf_live *live;
	unmanaged_scene(&set, &live);
	const char *const targets[] = {"Widget/x", NULL};
	cf_plan *plan = im_plan(set, live, &(cf_plan_opts){.targets = targets});
	assert_int_equal(plan->count, 0);
	assert_int_equal(plan->nunmanaged, 1);
	assert_string_equal(plan->unmanaged[0].address, "Widget/x");
	cf_plan_free(plan);
	cf_live_free(live);
	cf_resource_set_free(set);
}

static void test_a_target_naming_nothing_plans_nothing(void **state)
{
	(void)state;
	cf_resource_set *set;
	cf_live *live;
	unmanaged_scene(&set, &live);
	const char *const targets[] = {"Widget/nope", NULL};
	cf_plan *plan = im_plan(set, live, &(cf_plan_opts){.prune = true, .targets = targets});
	assert_int_equal(plan->count, 0);
	assert_int_equal(plan->nunmanaged, 0);
	assert_int_equal(plan->unchanged, 0);
	cf_plan_free(plan);
	cf_live_free(live);
	cf_resource_set_free(set);
}

static const cf_kind *kind(const char *name)
{
	const cf_kind *k = cf_kind_find(name);
	if (!k)
		fail_msg("no kind %s in the registry", name);
	return k;
}

static void test_changes_follow_the_provider_phase_list(void **state)
{
	(void)state;
	const cf_kind *target = kind("DeploymentTarget"), *agent = kind("SelfHostedAgentType"),
		      *retention = kind("ArtifactRetentionPolicy");
	cf_resource_set *set = im_set();
	/* in the reverse of the apply order */
	im_res_at(set, retention, "ArtifactRetentionPolicy/web", "web", NULL, "{\"metadata\": {\"project\": \"web\"}}");
	im_res_at(set, target, "DeploymentTarget/web/prod", "web", "prod",
		  "{\"metadata\": {\"name\": \"prod\", \"project\": \"web\"}, \"spec\": {\"active\": false}}");
	im_res_at(set, agent, "SelfHostedAgentType/s1-x", NULL, "s1-x", "{\"metadata\": {\"name\": \"s1-x\"}}");
	cf_live *live = im_live();
	cf_live_add(live, set, agent, "SelfHostedAgentType/s1-old", "s1-old", NULL, "s1-old", im_json("{}"));
	cf_live_add(live, set, target, "DeploymentTarget/web/old", "t-old", "p-web", "old", im_json("{}"));
	cf_plan *plan = im_plan(set, live, &(cf_plan_opts){.prune = true});
	const struct {
		cf_action action;
		const char *address;
	} want[] = {
		{CF_CREATE, "SelfHostedAgentType/s1-x"},
		{CF_CREATE, "DeploymentTarget/web/prod"},
		{CF_DEACTIVATE, "DeploymentTarget/web/prod"},
		{CF_CREATE, "ArtifactRetentionPolicy/web"},
		{CF_DELETE, "DeploymentTarget/web/old"},
		{CF_DELETE, "SelfHostedAgentType/s1-old"},
	};
	assert_int_equal(plan->count, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < plan->count; i++) {
		assert_string_equal(cf_action_names[plan->changes[i].action], cf_action_names[want[i].action]);
		assert_string_equal(plan->changes[i].address, want[i].address);
		if (i)
			assert_true(cf_plan_phase(&plan->changes[i - 1]) < cf_plan_phase(&plan->changes[i]));
	}
	cf_plan_free(plan);
	cf_live_free(live);
	cf_resource_set_free(set);
}

static void test_a_replacement_runs_just_before_its_kinds_writes(void **state)
{
	(void)state;
	const cf_kind *target = kind("DeploymentTarget"), *agent = kind("SelfHostedAgentType");
	cf_change agent_create = {.action = CF_CREATE, .kind = agent};
	cf_change target_replace_delete = {.action = CF_DELETE, .kind = target, .replace = true};
	cf_change target_create = {.action = CF_CREATE, .kind = target, .replace = true};
	cf_change target_update = {.action = CF_UPDATE, .kind = target};
	cf_change target_delete = {.action = CF_DELETE, .kind = target};
	assert_true(cf_plan_phase(&agent_create) < cf_plan_phase(&target_replace_delete));
	assert_true(cf_plan_phase(&target_replace_delete) < cf_plan_phase(&target_create));
	assert_int_equal(cf_plan_phase(&target_create), cf_plan_phase(&target_update));
	assert_true(cf_plan_phase(&target_update) < cf_plan_phase(&target_delete));
}

static void test_deletes_follow_the_provider_delete_list(void **state)
{
	(void)state;
	cf_change target_delete = {.action = CF_DELETE, .kind = kind("DeploymentTarget")};
	cf_change agent_delete = {.action = CF_DELETE, .kind = kind("SelfHostedAgentType")};
	cf_change retention_create = {.action = CF_CREATE, .kind = kind("ArtifactRetentionPolicy")};
	/* targets run on agent types: they go first */
	assert_true(cf_plan_phase(&target_delete) < cf_plan_phase(&agent_delete));
	assert_true(cf_plan_phase(&retention_create) < cf_plan_phase(&target_delete));
}

static void test_a_kind_of_no_provider_still_gets_a_phase(void **state)
{
	(void)state;
	assert_null(cf_provider_of(&widget_kind));
	cf_change create = {.action = CF_CREATE, .kind = &widget_kind};
	cf_change update = {.action = CF_UPDATE, .kind = &widget_kind};
	cf_change replace_delete = {.action = CF_DELETE, .kind = &widget_kind, .replace = true};
	cf_change del = {.action = CF_DELETE, .kind = &widget_kind};
	cf_change agent_delete = {.action = CF_DELETE, .kind = kind("SelfHostedAgentType")};
	assert_int_equal(cf_plan_phase(&create), cf_plan_phase(&update));
	assert_true(cf_plan_phase(&replace_delete) < cf_plan_phase(&create));
	assert_true(cf_plan_phase(&create) < cf_plan_phase(&del));
	/* deletes are after every write, of any provider */
	assert_true(cf_plan_phase(&del) >= 1000);
	assert_true(cf_plan_phase(&agent_delete) >= 1000);
}

static void test_changes_of_one_phase_are_in_address_order(void **state)
{
	(void)state;
	cf_resource_set *set = im_set();
	im_res(set, &widget_kind, "c", "{}");
	im_res(set, &widget_kind, "a", "{}");
	im_res(set, &widget_kind, "b", "{}");
	cf_live *live = im_live();
	cf_plan *plan = im_plan(set, live, NULL);
	assert_int_equal(plan->count, 3);
	assert_string_equal(plan->changes[0].address, "Widget/a");
	assert_string_equal(plan->changes[1].address, "Widget/b");
	assert_string_equal(plan->changes[2].address, "Widget/c");
	cf_plan_free(plan);
	cf_live_free(live);
	cf_resource_set_free(set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_live_is_a_create),
		cmocka_unit_test(test_a_create_notes_the_default_of_an_omitted_field),
		cmocka_unit_test(test_an_empty_list_is_noted),
		cmocka_unit_test(test_differing_fields_are_an_update),
		cmocka_unit_test(test_a_secret_change_is_an_update_that_sends_secrets),
		cmocka_unit_test(test_equal_fields_are_no_change_and_count_as_unchanged),
		cmocka_unit_test(test_ensure_absent_is_a_delete),
		cmocka_unit_test(test_ensure_absent_with_nothing_live_is_unchanged),
		cmocka_unit_test(test_spec_active_false_is_a_deactivate),
		cmocka_unit_test(test_an_inactive_live_resource_is_activated),
		cmocka_unit_test(test_unmanaged_are_listed_without_prune),
		cmocka_unit_test(test_unmanaged_are_deleted_with_prune),
		cmocka_unit_test(test_targets_limit_the_plan_to_their_addresses),
		cmocka_unit_test(test_targets_limit_the_unmanaged_list),
		cmocka_unit_test(test_a_target_naming_nothing_plans_nothing),
		cmocka_unit_test(test_changes_follow_the_provider_phase_list),
		cmocka_unit_test(test_a_replacement_runs_just_before_its_kinds_writes),
		cmocka_unit_test(test_deletes_follow_the_provider_delete_list),
		cmocka_unit_test(test_a_kind_of_no_provider_still_gets_a_phase),
		cmocka_unit_test(test_changes_of_one_phase_are_in_address_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
