/* policy: every permission of Constat, decided in this one place. Callers describe who
 * asks (the subject), what for (the action) and about what (the object); the answer says
 * whether it is allowed and whether the access must be written to the audit trail.
 *
 * The rules (docs/PRIVACY.md): case records are for control agents of the record's
 * region; reading another agent's record is logged; managers, analysts and administrators
 * read no case record; an agent's own activity report is theirs alone; statistics are
 * released tables only, for the subject's own scope. */
#ifndef DOMAIN_POLICY_H
#define DOMAIN_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "domain/model.h"

enum policy_action {
	POLICY_REGISTRY_READ,     /* an establishment's identity, the search */
	POLICY_CASE_READ,         /* an intervention with its note and follow-ups */
	POLICY_CASE_CREATE,       /* record an intervention as its author */
	POLICY_CASE_EDIT,         /* change an intervention or its follow-ups */
	POLICY_OWN_ACTIVITY,      /* an activity report (CREMA) */
	POLICY_OWN_ACCESS_LOG,    /* who read the records of an agent */
	POLICY_OWN_TOKENS,        /* API tokens of an account */
	POLICY_STATS_READ,        /* released statistical tables of a scope */
	POLICY_ACCOUNTS_ADMIN,    /* create, disable accounts, reset passwords */
	POLICY_ORG_ADMIN,         /* the organisation tree and assignments */
	POLICY_NOMENCLATURE_ADMIN,/* themes, kinds */
	POLICY_ACTIONS_ADMIN,     /* priority actions */
	POLICY_ILO_READ,          /* the national ILO Convention 81 annual report */
	POLICY_ILO_EDIT,          /* its editable item (a), laws and regulations */
	POLICY_ACTION_COUNT
};

enum policy_decision {
	POLICY_DENY = 0,
	POLICY_ALLOW,
	POLICY_ALLOW_AUDITED,     /* allowed, and the access goes to the audit trail */
};

struct policy_subject {
	int64_t agent_id;
	enum role role;
	const char *region_code;  /* region of the subject's scope unit; NULL or "" = national */
};

struct policy_object {
	int64_t owner_id;         /* the record's author, the report's or log's agent */
	const int64_t *co_agents; /* agents who took part in the record */
	size_t n_co_agents;
	const char *region_code;  /* region of the record */
	int in_scope;             /* stats: the asked unit is within the subject's scope */
	int national_table;       /* stats: the asked table is the national level */
	int past_edit_window;     /* edit: the author's edit period is over */
};

/* The decision for subject doing action on object (object may be NULL where the action
 * concerns no particular record). */
enum policy_decision policy_check(const struct policy_subject *sub, enum policy_action action,
                                  const struct policy_object *obj);
/* policy_check, turned into ERR_DENIED with a message when denied. *audited (may be NULL)
 * tells whether the access must be logged. */
enum err_code policy_require(const struct policy_subject *sub, enum policy_action action,
                             const struct policy_object *obj, int *audited, struct err *e);
/* 1 when sub may do action on at least its own records (for deciding whether to look
 * at records at all, or to offer an action); each record is still checked with
 * policy_check. */
int policy_may(const struct policy_subject *sub, enum policy_action action);
/* The stable name of an action ("case_read"...); parse returns -1 when unknown. */
const char *policy_action_name(enum policy_action a);
int policy_action_parse(const char *s, enum policy_action *out);

#endif
