/* case: the operations on case records (interventions and their follow-ups) shared by the
 * JSON API and the web pages. Each one checks the policy (domain/policy.h), validates every
 * value (domain/validate.h), checks every reference against the store, writes and audits,
 * all or nothing; errors name the field as the API names it ("followups[0].date"). */
#ifndef API_CASE_H
#define API_CASE_H

#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "domain/policy.h"
#include "store/store.h"

/* How long the author edits freely before every change leaves a trace. */
void case_set_edit_window(int64_t days);

/* Creates iv with me as its author (iv->author_id is set here); *id receives its id. */
enum err_code case_create(struct store *s, const struct policy_subject *me,
                          struct intervention *iv, int64_t *id, struct err *e);
/* Reads intervention id for me: ERR_DENIED when the policy refuses; a read of another
 * agent's record is audited. The record lives in arena a. */
enum err_code case_read(struct store *s, const struct policy_subject *me, int64_t id,
                        struct arena *a, struct intervention_rec *r, struct err *e);
/* Reads intervention id for editing by me: ERR_DENIED unless me is its author; *late
 * tells whether the edit period is over (the change is then audited as late). */
enum err_code case_read_for_edit(struct store *s, const struct policy_subject *me, int64_t id,
                                 struct arena *a, struct intervention_rec *r, int *late,
                                 struct err *e);
/* Replaces the fields, themes, co-agents and checkpoints of the record r (read with
 * case_read_for_edit) by those of iv. */
enum err_code case_update(struct store *s, const struct policy_subject *me,
                          const struct intervention_rec *r, int late,
                          const struct intervention *iv, struct err *e);
/* Adds (followup_id 0; *new_id receives the id) or replaces a follow-up of r. Field names
 * in errors are the follow-up's own ("date", "provisions[0]"). */
enum err_code case_followup_write(struct store *s, const struct policy_subject *me,
                                  const struct intervention_rec *r, int late,
                                  const struct followup *f, int64_t followup_id,
                                  int64_t *new_id, struct err *e);
/* Walks the interventions on an establishment that me may read, newest first (at most
 * limit); reads of other agents' records are audited. Nothing for non-agents. */
enum err_code case_history(struct store *s, const struct policy_subject *me, const char *siret,
                           int limit, store_intervention_cb cb, void *ctx, struct err *e);

#endif
