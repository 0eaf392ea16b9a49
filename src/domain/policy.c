/* policy: the one place where permissions are decided (see policy.h). */
#include "domain/policy.h"

#include <string.h>

static const char *const action_names[POLICY_ACTION_COUNT] = {
	[POLICY_REGISTRY_READ] = "registry_read",
	[POLICY_CASE_READ] = "case_read",
	[POLICY_CASE_CREATE] = "case_create",
	[POLICY_CASE_EDIT] = "case_edit",
	[POLICY_OWN_ACTIVITY] = "own_activity",
	[POLICY_OWN_ACCESS_LOG] = "own_access_log",
	[POLICY_OWN_TOKENS] = "own_tokens",
	[POLICY_STATS_READ] = "stats_read",
	[POLICY_ACCOUNTS_ADMIN] = "accounts_admin",
	[POLICY_ORG_ADMIN] = "org_admin",
	[POLICY_NOMENCLATURE_ADMIN] = "nomenclature_admin",
	[POLICY_ACTIONS_ADMIN] = "actions_admin",
	[POLICY_ILO_READ] = "ilo_read",
	[POLICY_ILO_EDIT] = "ilo_edit",
};

const char *policy_action_name(enum policy_action a)
{
	return (unsigned)a < POLICY_ACTION_COUNT ? action_names[a] : "?";
}

int policy_action_parse(const char *s, enum policy_action *out)
{
	for (int i = 0; s && i < POLICY_ACTION_COUNT; i++) {
		if (strcmp(action_names[i], s) == 0) {
			*out = (enum policy_action)i;
			return 0;
		}
	}
	return -1;
}

static int same_region(const char *a, const char *b)
{
	return a && b && a[0] && strcmp(a, b) == 0;
}

/* The subject wrote the record or took part in it. */
static int takes_part(const struct policy_subject *sub, const struct policy_object *obj)
{
	if (obj->owner_id == sub->agent_id)
		return 1;
	for (size_t i = 0; i < obj->n_co_agents; i++)
		if (obj->co_agents[i] == sub->agent_id)
			return 1;
	return 0;
}

enum policy_decision policy_check(const struct policy_subject *sub, enum policy_action action,
                                  const struct policy_object *obj)
{
	static const struct policy_object none = {0};
	int agent = sub->role == ROLE_AGENT;

	if (sub->agent_id <= 0)
		return POLICY_DENY;
	if (obj == NULL)
		obj = &none;
	switch (action) {
	case POLICY_REGISTRY_READ:
		return POLICY_ALLOW; /* public registry data, every role */
	case POLICY_CASE_READ:
		/* Case records are for control agents only; another agent's record of the same
		 * region is readable, and the read is logged for its author to see. */
		if (!agent)
			return POLICY_DENY;
		if (takes_part(sub, obj))
			return POLICY_ALLOW;
		return same_region(sub->region_code, obj->region_code) ? POLICY_ALLOW_AUDITED
		                                                       : POLICY_DENY;
	case POLICY_CASE_CREATE:
		return agent ? POLICY_ALLOW : POLICY_DENY;
	case POLICY_CASE_EDIT:
		/* The author edits; after the edit period every change leaves a trace. */
		if (!agent || obj->owner_id != sub->agent_id)
			return POLICY_DENY;
		return obj->past_edit_window ? POLICY_ALLOW_AUDITED : POLICY_ALLOW;
	case POLICY_OWN_ACTIVITY:
	case POLICY_OWN_ACCESS_LOG:
		/* An agent's report and access log are theirs alone: no role, administrators
		 * included, reads another agent's. */
		return agent && obj->owner_id == sub->agent_id ? POLICY_ALLOW : POLICY_DENY;
	case POLICY_OWN_TOKENS:
		return obj->owner_id == sub->agent_id ? POLICY_ALLOW : POLICY_DENY;
	case POLICY_STATS_READ:
		/* Released tables only (the caller serves nothing else): managers for their own
		 * subtree, analysts and administrators the national tables. */
		if (sub->role == ROLE_ANALYST || sub->role == ROLE_ADMIN)
			return obj->national_table || obj->in_scope ? POLICY_ALLOW : POLICY_DENY;
		if (sub->role == ROLE_MANAGER)
			return obj->in_scope ? POLICY_ALLOW : POLICY_DENY;
		return POLICY_DENY;
	case POLICY_ILO_READ:
	case POLICY_ILO_EDIT:
		/* The ILO report is national (released national and region cells): analysts and
		 * administrators; managers see their subtree through the dashboards only. */
		return sub->role == ROLE_ANALYST || sub->role == ROLE_ADMIN ? POLICY_ALLOW
		                                                            : POLICY_DENY;
	case POLICY_ACCOUNTS_ADMIN:
	case POLICY_ORG_ADMIN:
	case POLICY_NOMENCLATURE_ADMIN:
	case POLICY_ACTIONS_ADMIN:
		return sub->role == ROLE_ADMIN ? POLICY_ALLOW : POLICY_DENY;
	case POLICY_ACTION_COUNT:
		break;
	}
	return POLICY_DENY;
}

int policy_may(const struct policy_subject *sub, enum policy_action action)
{
	struct policy_object own = {.owner_id = sub->agent_id, .region_code = sub->region_code,
	                            .in_scope = 1};

	return policy_check(sub, action, &own) != POLICY_DENY;
}

enum err_code policy_require(const struct policy_subject *sub, enum policy_action action,
                             const struct policy_object *obj, int *audited, struct err *e)
{
	enum policy_decision d = policy_check(sub, action, obj);

	if (audited)
		*audited = d == POLICY_ALLOW_AUDITED;
	if (d == POLICY_DENY)
		return err_set(e, ERR_DENIED, NULL, "this account may not do this (%s)",
		               policy_action_name(action));
	return ERR_OK;
}
