/* model: names of the fixed enumerations, as stored and shown in the API. */
#include "domain/model.h"

#include <string.h>

static const char *const role_names[ROLE_COUNT] = {
	[ROLE_AGENT] = "agent",
	[ROLE_MANAGER] = "manager",
	[ROLE_ANALYST] = "analyst",
	[ROLE_ADMIN] = "admin",
};

static const char *const level_names[ORG_LEVEL_COUNT] = {
	[ORG_NATIONAL] = "national",
	[ORG_REGION] = "region",
	[ORG_DEPARTMENT] = "department",
	[ORG_UNIT] = "unit",
	[ORG_SECTION] = "section",
};

static int lookup(const char *const *names, int n, const char *s)
{
	for (int i = 0; s && i < n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

const char *model_role_name(enum role r)
{
	return (unsigned)r < ROLE_COUNT ? role_names[r] : "?";
}

int model_role_parse(const char *s, enum role *out)
{
	int i = lookup(role_names, ROLE_COUNT, s);

	if (i < 0)
		return -1;
	*out = (enum role)i;
	return 0;
}

const char *model_org_level_name(enum org_level l)
{
	return (unsigned)l < ORG_LEVEL_COUNT ? level_names[l] : "?";
}

int model_org_level_parse(const char *s, enum org_level *out)
{
	int i = lookup(level_names, ORG_LEVEL_COUNT, s);

	if (i < 0)
		return -1;
	*out = (enum org_level)i;
	return 0;
}

int model_intervention_action_unchecked(const struct intervention *iv)
{
	if (iv->priority_action_id == 0)
		return 0;
	for (size_t i = 0; i < iv->n_checkpoints; i++)
		if (strcmp(iv->checkpoints[i].state, MODEL_CHECKPOINT_COMPLIANT) == 0 ||
		    strcmp(iv->checkpoints[i].state, MODEL_CHECKPOINT_NON_COMPLIANT) == 0)
			return 0;
	return 1;
}
