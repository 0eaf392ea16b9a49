/* model: the records of the domain as plain structs, shared by the store, the validators,
 * the generator and (later) the API. Text fields are borrowed pointers (NULL or "" when
 * absent): whoever fills a struct keeps the strings alive for the duration of the call
 * that receives it. Codes of nomenclatures (kinds, themes) are data, seeded by the
 * migrations; the fixed enumerations below are part of the program. */
#ifndef DOMAIN_MODEL_H
#define DOMAIN_MODEL_H

#include <stddef.h>
#include <stdint.h>

/* ---- Organisation and people ------------------------------------------------------ */

enum role { ROLE_AGENT, ROLE_MANAGER, ROLE_ANALYST, ROLE_ADMIN, ROLE_COUNT };
enum org_level { ORG_NATIONAL, ORG_REGION, ORG_DEPARTMENT, ORG_UNIT, ORG_SECTION, ORG_LEVEL_COUNT };

/* Codes as stored ("agent", "region"...); parse returns -1 on an unknown name. */
const char *model_role_name(enum role r);
int model_role_parse(const char *s, enum role *out);
const char *model_org_level_name(enum org_level l);
int model_org_level_parse(const char *s, enum org_level *out);

struct org_unit {
	int64_t id;              /* set by the store on insert */
	int64_t parent_id;       /* 0 for the national root */
	enum org_level level;
	const char *code;        /* unique, e.g. "R84", "D69", "UC69-03", "S69-03-2" */
	const char *name;
	const char *region_code;     /* COG region, for region level and below, or NULL */
	const char *department_code; /* COG department, for department level and below */
	const char *valid_from;      /* YYYY-MM-DD */
	const char *valid_to;        /* YYYY-MM-DD or NULL (still valid) */
};

struct agent {
	int64_t id;
	const char *login;
	const char *display_name;
	enum role role;
	int64_t scope_unit_id;   /* the unit a manager or agent belongs to; 0 = national */
	const char *password_hash; /* argon2id string from libsodium, or NULL (cannot log in) */
	const char *sex;           /* "F", "M" or NULL: only ever counted in aggregates (ILO) */
	const char *grade;         /* "inspecteur", "controleur" or NULL */
	int disabled;
};

/* An agent holds a section over a period, possibly part-time. */
struct assignment {
	int64_t agent_id;
	int64_t section_id;
	const char *start_date;
	const char *end_date;    /* NULL while current */
	double fte;              /* (0, 1] */
};

/* A period of absence (leave, sick leave, training). */
struct absence {
	int64_t agent_id;
	const char *start_date;
	const char *end_date;
	const char *reason;      /* "conge", "maladie", "formation" */
};

/* ---- Registry (shaped like INSEE's SIRENE stock files) --------------------------- */

struct legal_unit {
	const char *siren;            /* 9 digits */
	const char *name;             /* denominationUniteLegale */
	const char *acronym;          /* sigleUniteLegale */
	const char *last_name;        /* nomUniteLegale (sole traders) */
	const char *first_name;       /* prenom1UniteLegale */
	const char *legal_category;   /* categorieJuridiqueUniteLegale, 4 digits */
	const char *company_category; /* PME, ETI, GE */
	const char *state;            /* "A" active or "C" ceased */
	const char *head_nic;         /* nicSiegeUniteLegale */
};

struct establishment {
	const char *siret;            /* 14 digits */
	const char *siren;            /* 9 digits, the siret's prefix */
	const char *nic;              /* 5 digits, the siret's suffix */
	const char *diffusion;        /* "O" or "P" (partial diffusion) */
	const char *created_on;       /* YYYY-MM-DD or NULL */
	const char *headcount_band;   /* NN, 00, 01 ... 53 */
	int head_office;
	const char *street_number;
	const char *street_repeat;    /* B, T, Q... */
	const char *street_type;      /* RUE, AV, BD... */
	const char *street_name;
	const char *address_extra;
	const char *postcode;
	const char *commune_name;
	const char *commune_code;     /* COG, 5 characters */
	const char *state;            /* "A" active or "F" closed */
	const char *enseigne1;
	const char *enseigne2;
	const char *enseigne3;
	const char *usual_name;       /* denominationUsuelleEtablissement */
	const char *naf;              /* NN.NNL */
	const char *naf_nomenclature; /* NAFRev2 (as in SIRENE) */
};

/* A construction site with several companies and no SIRET of its own. */
struct worksite {
	int64_t id;
	const char *name;
	const char *address;
	const char *postcode;
	const char *commune_code;
	const char *start_date;
	const char *end_date;
	int64_t created_by;
	const char *const *sirets;    /* establishments present */
	size_t n_sirets;
};

/* ---- Campaigns -------------------------------------------------------------------- */

struct priority_action {
	int64_t id;
	const char *code;
	const char *title;
	const char *scope;            /* "national" or "regional" */
	const char *region_code;      /* for a regional action */
	const char *start_date;
	const char *end_date;
	const char *const *themes;
	size_t n_themes;
	const char *const *control_points; /* labels, in order */
	size_t n_control_points;
};

/* ---- Interventions and what follows them ------------------------------------------ */

#define MODEL_CHECKPOINT_COMPLIANT "compliant"
#define MODEL_CHECKPOINT_NON_COMPLIANT "non_compliant"
#define MODEL_CHECKPOINT_NOT_CHECKED "not_checked"

struct checkpoint_state {
	int64_t control_point_id;
	const char *state;            /* one of MODEL_CHECKPOINT_* */
};

struct followup {
	int64_t id;
	const char *kind;             /* followup_kind code */
	const char *date;
	const char *status;           /* "draft", "issued", "closed", "under_appeal" */
	const char *const *provisions; /* legal provisions cited, e.g. "L.4121-1" */
	size_t n_provisions;
};

struct accident {
	const char *date;
	const char *severity;         /* "fatal", "serious", "other" */
	int victims;
};

struct disease {
	const char *date;
	const char *table_number;     /* tableau des maladies professionnelles, e.g. "57" */
	int victims;
};

struct intervention {
	int64_t id;
	const char *date;
	const char *kind;             /* intervention_kind code */
	int on_site;                  /* an ILO "visit" */
	const char *siret;            /* the target: an establishment ... */
	int64_t worksite_id;          /* ... or a worksite (exactly one of the two) */
	int64_t author_id;
	int64_t priority_action_id;   /* 0 when none */
	const char *note;             /* confidential */
	const char *status;           /* "draft" or "final" */
	const char *created_at;       /* NULL: now */
	const int64_t *co_agents;
	size_t n_co_agents;
	const char *const *themes;
	size_t n_themes;
	const struct checkpoint_state *checkpoints;
	size_t n_checkpoints;
	const struct followup *followups;
	size_t n_followups;
	const struct accident *accidents;
	size_t n_accidents;
	const struct disease *diseases;
	size_t n_diseases;
};

/* 1 when iv is on a priority action with no control point recorded compliant or
 * non-compliant: it counts for no action (honest counting, docs/STATISTICS.md; the
 * statistics and the agent's counts apply the same rule in SQL). */
int model_intervention_action_unchecked(const struct intervention *iv);

#endif
