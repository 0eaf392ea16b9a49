/* case: operations on case records shared by the API and the web pages (see case.h). */
#include "api/case.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/xalloc.h"
#include "domain/validate.h"

static int64_t edit_window_days = 7;

void case_set_edit_window(int64_t days)
{
	edit_window_days = days;
}

/* "list[i]" or "list[i].member" into out. */
static const char *name_of(char *out, size_t n, const char *list, size_t i, const char *member)
{
	snprintf(out, n, "%s[%zu]%s%s", list, i, member ? "." : "", member ? member : "");
	return out;
}

/* Checks that every code and id iv names exists, naming the field on failure. */
static enum err_code check_refs(struct store *s, const struct intervention *iv,
                                const char *region, struct err *e)
{
	char field[ERR_FIELD_MAX];
	enum err_code rc;
	int ok;

#define CHECK(call, field, msg)                                           \
	do {                                                              \
		if ((rc = (call)) != ERR_OK)                              \
			return rc;                                        \
		if (!ok)                                                  \
			return err_set(e, ERR_INVALID, field, "%s", msg); \
	} while (0)

	CHECK(store_ref_exists(s, STORE_REF_INTERVENTION_KIND, iv->kind, 0, &ok, e), "kind",
	      "unknown intervention kind");
	if (iv->siret)
		CHECK(store_ref_exists(s, STORE_REF_ESTABLISHMENT, iv->siret, 0, &ok, e), "siret",
		      "no establishment with this SIRET in the registry");
	if (iv->worksite_id)
		CHECK(store_ref_exists(s, STORE_REF_WORKSITE, NULL, iv->worksite_id, &ok, e),
		      "worksite_id", "no such worksite");
	for (size_t i = 0; i < iv->n_themes; i++)
		CHECK(store_ref_exists(s, STORE_REF_THEME, iv->themes[i], 0, &ok, e),
		      name_of(field, sizeof field, "themes", i, NULL), "unknown theme");
	for (size_t i = 0; i < iv->n_co_agents; i++)
		CHECK(store_ref_exists(s, STORE_REF_CONTROL_AGENT, NULL, iv->co_agents[i], &ok, e),
		      name_of(field, sizeof field, "co_agents", i, NULL), "no such control agent");
	if (iv->priority_action_id)
		CHECK(store_priority_action_applies(s, iv->priority_action_id, iv->date,
		                                    region ? region : "", &ok, e),
		      "priority_action_id",
		      "no priority action with this id runs on this date in your region");
	for (size_t i = 0; i < iv->n_checkpoints; i++)
		CHECK(store_control_point_belongs(s, iv->checkpoints[i].control_point_id,
		                                  iv->priority_action_id, &ok, e),
		      name_of(field, sizeof field, "checkpoints", i, "control_point_id"),
		      "not a control point of this priority action");
	for (size_t i = 0; i < iv->n_followups; i++)
		CHECK(store_ref_exists(s, STORE_REF_FOLLOWUP_KIND, iv->followups[i].kind, 0, &ok, e),
		      name_of(field, sizeof field, "followups", i, "kind"), "unknown follow-up kind");
#undef CHECK
	return ERR_OK;
}

/* Runs write inside a transaction with its audit entry. */
static enum err_code audited_write(struct store *s, int64_t actor, const char *action,
                                   int64_t object, int64_t owner, const char *detail,
                                   enum err_code (*write)(struct store *, void *, struct err *),
                                   void *ctx, struct err *e)
{
	char id[24];
	enum err_code rc;

	if ((rc = store_begin(s, e)) != ERR_OK)
		return rc;
	rc = write(s, ctx, e);
	snprintf(id, sizeof id, "%lld", (long long)(object ? object : *(int64_t *)ctx));
	if (rc == ERR_OK)
		rc = store_audit_append(s, actor, action, "intervention", id, owner, detail, e);
	if (rc == ERR_OK)
		return store_commit(s, e);
	store_rollback(s);
	return rc;
}

struct create_ctx {
	int64_t id;                   /* first: audited_write reads the new id here */
	const struct intervention *iv;
};

static enum err_code do_create(struct store *s, void *ctx, struct err *e)
{
	struct create_ctx *c = ctx;

	return store_intervention_insert(s, c->iv, &c->id, e);
}

enum err_code case_create(struct store *s, const struct policy_subject *me,
                          struct intervention *iv, int64_t *id, struct err *e)
{
	struct create_ctx c = {.iv = iv};
	char today[DATE_ISO_LEN];
	enum err_code rc;

	*id = 0;
	if ((rc = policy_require(me, POLICY_CASE_CREATE, NULL, NULL, e)) != ERR_OK)
		return rc;
	iv->author_id = me->agent_id;
	if ((rc = validate_intervention(iv, date_format(date_today(), today), e)) != ERR_OK ||
	    (rc = check_refs(s, iv, me->region_code, e)) != ERR_OK ||
	    (rc = audited_write(s, me->agent_id, "intervention.create", 0, me->agent_id, NULL,
	                        do_create, &c, e)) != ERR_OK)
		return rc;
	*id = c.id;
	return ERR_OK;
}

static struct policy_object case_object(const struct intervention_rec *r)
{
	struct policy_object o = {
		.owner_id = r->iv.author_id,
		.co_agents = r->iv.co_agents,
		.n_co_agents = r->iv.n_co_agents,
		.region_code = r->region_code,
	};
	return o;
}

static enum err_code audit_read(struct store *s, const struct policy_subject *me,
                                const struct intervention_rec *r, struct err *e)
{
	struct store_read one = {.intervention_id = r->iv.id, .owner_id = r->iv.author_id};

	return store_audit_reads(s, me->agent_id, &one, 1, e);
}

enum err_code case_read(struct store *s, const struct policy_subject *me, int64_t id,
                        struct arena *a, struct intervention_rec *r, struct err *e)
{
	struct policy_object obj;
	enum err_code rc;
	int audited = 0;

	/* Those who read no case record are refused before anything is read. */
	if (!policy_may(me, POLICY_CASE_READ))
		return policy_require(me, POLICY_CASE_READ, NULL, NULL, e);
	if ((rc = store_intervention_get(s, id, a, r, e)) != ERR_OK)
		return rc;
	obj = case_object(r);
	if ((rc = policy_require(me, POLICY_CASE_READ, &obj, &audited, e)) != ERR_OK)
		return rc;
	/* No read without its trace: if the audit cannot be written, the record is not shown. */
	return audited ? audit_read(s, me, r, e) : ERR_OK;
}

enum err_code case_read_for_edit(struct store *s, const struct policy_subject *me, int64_t id,
                                 struct arena *a, struct intervention_rec *r, int *late,
                                 struct err *e)
{
	struct policy_object obj;
	char day[DATE_ISO_LEN];
	enum err_code rc;
	int32_t created;

	*late = 0;
	if (!policy_may(me, POLICY_CASE_EDIT))
		return policy_require(me, POLICY_CASE_EDIT, NULL, NULL, e);
	if ((rc = store_intervention_get(s, id, a, r, e)) != ERR_OK)
		return rc;
	obj = case_object(r);
	snprintf(day, sizeof day, "%.10s", r->iv.created_at ? r->iv.created_at : "");
	obj.past_edit_window = date_parse(day, &created) != 0 ||
	                       date_today() - created > edit_window_days;
	return policy_require(me, POLICY_CASE_EDIT, &obj, late, e);
}

/* The policy's word on changing r, whatever the caller read it with. */
static enum err_code require_edit(const struct policy_subject *me,
                                  const struct intervention_rec *r, int late, struct err *e)
{
	struct policy_object obj = case_object(r);

	obj.past_edit_window = late;
	return policy_require(me, POLICY_CASE_EDIT, &obj, NULL, e);
}

struct update_ctx {
	int64_t id;
	const struct intervention *iv;
	const struct followup *f;
	int64_t followup_id;
	int64_t new_id;
};

static enum err_code do_update(struct store *s, void *ctx, struct err *e)
{
	struct update_ctx *c = ctx;

	if (c->f == NULL)
		return store_intervention_update(s, c->id, c->iv, e);
	if (c->followup_id)
		return store_followup_update(s, c->id, c->followup_id, c->f, e);
	return store_followup_insert(s, c->id, c->f, &c->new_id, e);
}

enum err_code case_update(struct store *s, const struct policy_subject *me,
                          const struct intervention_rec *r, int late,
                          const struct intervention *iv, struct err *e)
{
	struct update_ctx c = {.id = r->iv.id, .iv = iv};
	struct intervention check = *iv;
	char today[DATE_ISO_LEN];
	enum err_code rc;

	/* The author and the follow-ups stay; the follow-ups must still not come before the
	 * (possibly new) date. */
	check.author_id = r->iv.author_id;
	check.followups = r->iv.followups;
	check.n_followups = r->iv.n_followups;
	check.accidents = r->iv.accidents;
	check.n_accidents = r->iv.n_accidents;
	check.diseases = r->iv.diseases;
	check.n_diseases = r->iv.n_diseases;
	if ((rc = require_edit(me, r, late, e)) != ERR_OK)
		return rc;
	if ((rc = validate_intervention(&check, date_format(date_today(), today), e)) != ERR_OK ||
	    (rc = check_refs(s, &check, me->region_code, e)) != ERR_OK)
		return rc;
	return audited_write(s, me->agent_id, late ? "intervention.update.late"
	                                            : "intervention.update",
	                     r->iv.id, r->iv.author_id, NULL, do_update, &c, e);
}

enum err_code case_followup_write(struct store *s, const struct policy_subject *me,
                                  const struct intervention_rec *r, int late,
                                  const struct followup *f, int64_t followup_id,
                                  int64_t *new_id, struct err *e)
{
	struct update_ctx c = {.id = r->iv.id, .f = f, .followup_id = followup_id};
	struct intervention check = r->iv;
	char today[DATE_ISO_LEN];
	enum err_code rc;
	int found = followup_id == 0, ok = 0;

	if (new_id)
		*new_id = 0;
	if ((rc = require_edit(me, r, late, e)) != ERR_OK)
		return rc;
	for (size_t i = 0; i < r->iv.n_followups; i++)
		found |= r->iv.followups[i].id == followup_id;
	if (!found)
		return err_set(e, ERR_NOT_FOUND, "followup_id", "no such follow-up on this intervention");
	/* Validated as the record's only follow-up, then renamed to the follow-up's own
	 * field names. */
	check.followups = f;
	check.n_followups = 1;
	rc = validate_intervention(&check, date_format(date_today(), today), e);
	if (rc != ERR_OK) {
		if (e && strncmp(e->field, "followups[0].", 13) == 0)
			memmove(e->field, e->field + 13, strlen(e->field + 13) + 1);
		return rc;
	}
	if ((rc = store_ref_exists(s, STORE_REF_FOLLOWUP_KIND, f->kind, 0, &ok, e)) != ERR_OK)
		return rc;
	if (!ok)
		return err_set(e, ERR_INVALID, "kind", "unknown follow-up kind");
	rc = audited_write(s, me->agent_id, late ? "intervention.update.late" : "intervention.update",
	                   r->iv.id, r->iv.author_id, "followups", do_update, &c, e);
	if (rc == ERR_OK && new_id)
		*new_id = c.new_id;
	return rc;
}

#define HISTORY_MAX 500

struct history_ctx {
	const struct policy_subject *me;
	store_intervention_cb cb;
	void *ctx;
	struct store_read reads[HISTORY_MAX];
	size_t n_reads;
};

static int history_row(void *ctx, const struct intervention_rec *r)
{
	struct history_ctx *h = ctx;
	struct policy_object obj = case_object(r);
	enum policy_decision d = policy_check(h->me, POLICY_CASE_READ, &obj);

	if (d == POLICY_DENY)
		return 0;
	if (d == POLICY_ALLOW_AUDITED && h->n_reads < HISTORY_MAX)
		h->reads[h->n_reads++] =
			(struct store_read){.intervention_id = r->iv.id, .owner_id = r->iv.author_id};
	return h->cb(h->ctx, r);
}

enum err_code case_history(struct store *s, const struct policy_subject *me, const char *siret,
                           int limit, store_intervention_cb cb, void *ctx, struct err *e)
{
	struct history_ctx *h;
	enum err_code rc;

	if (!policy_may(me, POLICY_CASE_READ))
		return ERR_OK; /* nothing this subject may read */
	if (limit <= 0 || limit > HISTORY_MAX)
		limit = HISTORY_MAX;
	h = xcalloc(1, sizeof *h);
	h->me = me;
	h->cb = cb;
	h->ctx = ctx;
	rc = store_establishment_history(s, siret, limit, history_row, h, e);
	/* Every read of another agent's record in the page is logged, in one commit. */
	if (rc == ERR_OK)
		rc = store_audit_reads(s, me->agent_id, h->reads, h->n_reads, e);
	free(h);
	return rc;
}
