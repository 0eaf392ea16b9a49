/* Unit tests for src/domain/policy: the whole role x action matrix, read from
 * tests/data/policy/matrix.txt, and the structural guarantees around it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "domain/policy.h"

/* Builds the object for a situation, with the subject's id 10 in region 84. */
static int situation(const char *name, struct policy_object *o)
{
	static const int64_t co[] = {10};

	memset(o, 0, sizeof *o);
	o->owner_id = 20;
	o->region_code = "84";
	if (strcmp(name, "own") == 0)
		o->owner_id = 10;
	else if (strcmp(name, "own-late") == 0)
		o->owner_id = 10, o->past_edit_window = 1;
	else if (strcmp(name, "coagent") == 0)
		o->co_agents = co, o->n_co_agents = 1;
	else if (strcmp(name, "other-region") == 0)
		o->region_code = "11";
	else if (strcmp(name, "in-scope") == 0)
		o->in_scope = 1;
	else if (strcmp(name, "national") == 0)
		o->national_table = 1;
	else if (strcmp(name, "region") != 0 && strcmp(name, "none") != 0 &&
	         strcmp(name, "out-of-scope") != 0 && strcmp(name, "other") != 0)
		return -1;
	return 0;
}

static void test_matrix(void **state)
{
	char path[512], line[256], role[32], action[32], sit[32], want[32];
	FILE *f;
	int cases = 0, lineno = 0;
	int seen[ROLE_COUNT][POLICY_ACTION_COUNT] = {{0}};

	(void)state;
	snprintf(path, sizeof path, "%s/policy/matrix.txt", TEST_DATA_DIR);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof line, f)) {
		struct policy_subject sub = {.agent_id = 10, .region_code = "84"};
		struct policy_object obj;
		enum policy_action a = POLICY_REGISTRY_READ;
		enum policy_decision d;
		const char *got;

		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		assert_int_equal(sscanf(line, "%31s %31s %31s %31s", role, action, sit, want), 4);
		if (model_role_parse(role, &sub.role) != 0 || policy_action_parse(action, &a) != 0 ||
		    situation(sit, &obj) != 0)
			fail_msg("matrix.txt:%d: unknown role, action or situation", lineno);
		d = policy_check(&sub, a, &obj);
		got = d == POLICY_ALLOW ? "allow" : d == POLICY_ALLOW_AUDITED ? "audited" : "deny";
		if (strcmp(got, want) != 0)
			fail_msg("matrix.txt:%d: %s %s %s: expected %s, got %s", lineno, role, action,
			         sit, want, got);
		seen[sub.role][a] = 1;
		cases++;
	}
	fclose(f);
	assert_true(cases > 40);
	/* Every role is tried on the sensitive actions. */
	for (int r = 0; r < ROLE_COUNT; r++) {
		assert_true(seen[r][POLICY_CASE_READ]);
		assert_true(seen[r][POLICY_OWN_ACTIVITY]);
		assert_true(seen[r][POLICY_STATS_READ]);
	}
}

/* No role reads another agent's activity report or access log, whatever the object. */
static void test_reports_are_private(void **state)
{
	(void)state;
	for (int r = 0; r < ROLE_COUNT; r++) {
		for (int flags = 0; flags < 8; flags++) {
			struct policy_subject sub = {.agent_id = 1, .role = (enum role)r, .region_code = "84"};
			struct policy_object obj = {.owner_id = 2, .region_code = "84",
			                            .in_scope = flags & 1, .national_table = flags & 2,
			                            .past_edit_window = flags & 4};

			assert_int_equal(policy_check(&sub, POLICY_OWN_ACTIVITY, &obj), POLICY_DENY);
			assert_int_equal(policy_check(&sub, POLICY_OWN_ACCESS_LOG, &obj), POLICY_DENY);
		}
	}
}

static void test_require_and_anonymous(void **state)
{
	struct policy_subject anon = {.agent_id = 0, .role = ROLE_ADMIN};
	struct policy_subject admin = {.agent_id = 1, .role = ROLE_ADMIN};
	struct err e = {0};
	int audited = -1;

	(void)state;
	assert_int_equal(policy_check(&anon, POLICY_REGISTRY_READ, NULL), POLICY_DENY);
	assert_int_equal(policy_require(&admin, POLICY_CASE_READ, NULL, &audited, &e), ERR_DENIED);
	assert_int_equal(audited, 0);
	assert_non_null(strstr(e.msg, "case_read"));
	assert_int_equal(policy_require(&admin, POLICY_ACCOUNTS_ADMIN, NULL, &audited, &e), ERR_OK);
	assert_int_equal(policy_check(&admin, POLICY_ACTION_COUNT, NULL), POLICY_DENY);
}

static void test_may(void **state)
{
	struct policy_subject agent = {.agent_id = 1, .role = ROLE_AGENT, .region_code = "84"};
	struct policy_subject manager = {.agent_id = 2, .role = ROLE_MANAGER, .region_code = "84"};
	struct policy_subject admin = {.agent_id = 3, .role = ROLE_ADMIN};

	(void)state;
	assert_true(policy_may(&agent, POLICY_CASE_READ));
	assert_true(policy_may(&agent, POLICY_CASE_CREATE));
	assert_true(policy_may(&agent, POLICY_CASE_EDIT));
	assert_false(policy_may(&manager, POLICY_CASE_READ));
	assert_false(policy_may(&admin, POLICY_CASE_EDIT));
	assert_false(policy_may(&agent, POLICY_ACCOUNTS_ADMIN));
	assert_true(policy_may(&admin, POLICY_ACCOUNTS_ADMIN));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_reports_are_private),
		cmocka_unit_test(test_require_and_anonymous),
		cmocka_unit_test(test_may),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
