/* store-ilo: what the ILO Convention 81 annual report reads from the store (staff, the
 * registry's active establishments, legal provisions cited, released cells of one period)
 * and the editable item (a) it writes, as plain C structs. Only src/stats/ilo.c and the
 * pages and command of the report call it; no SQL leaks above. */
#ifndef STORE_STORE_ILO_H
#define STORE_STORE_ILO_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "store/store-stats.h"
#include "store/store.h"

#define STORE_ILO_TEXT_MAX 20000 /* bytes of item (a) */

/* One organisation unit of level region: its code ("R84"), name and COG region code
 * ("84", NULL when not set); borrowed for the call. */
typedef int (*store_ilo_region_cb)(void *ctx, const char *code, const char *name,
                                   const char *cog);
enum err_code store_ilo_regions(struct store *s, store_ilo_region_cb cb, void *ctx,
                                struct err *e);

/* One assignment of a control agent (role 'agent') overlapping from..to; strings
 * borrowed for the call. */
struct store_ilo_assignment {
	int64_t agent_id;
	const char *sex;    /* "F", "M" or NULL */
	const char *grade;  /* "inspecteur", "controleur" or NULL */
	const char *region; /* code of the region unit above the section, NULL when unknown */
	double fte;
	int64_t days;      /* days of from..to the assignment covers (>= 1) */
	const char *until; /* the last of those days (YYYY-MM-DD) */
};
typedef int (*store_ilo_assignment_cb)(void *ctx, const struct store_ilo_assignment *a);
/* Walks the assignments of control agents overlapping from..to, by agent then start. */
enum err_code store_ilo_staff(struct store *s, const char *from, const char *to,
                              store_ilo_assignment_cb cb, void *ctx, struct err *e);

/* Active establishments ('A') counted by COG region (NULL when the commune is unknown)
 * and SIRENE headcount band (NULL or "" when not given); strings borrowed for the call. */
typedef int (*store_ilo_registry_cb)(void *ctx, const char *cog_region, const char *band,
                                     int64_t n);
enum err_code store_ilo_registry(struct store *s, store_ilo_registry_cb cb, void *ctx,
                                 struct err *e);

/* Citations of legal provisions: for each provision and each agent, the number of
 * follow-ups (not drafts) of final interventions dated from..to, authored by that agent,
 * that cite the provision; by provision. The provision is borrowed for the call. */
typedef int (*store_ilo_provision_cb)(void *ctx, const char *provision, int64_t agent_id,
                                      int64_t n);
enum err_code store_ilo_provisions(struct store *s, const char *from, const char *to,
                                   store_ilo_provision_cb cb, void *ctx, struct err *e);
/* The same follow-ups counted per agent under two keys, in key then agent order: "all",
 * every one of them, and "none", those that cite no provision (completeness). */
enum err_code store_ilo_followups_uncited(struct store *s, const char *from, const char *to,
                                          store_ilo_provision_cb cb, void *ctx,
                                          struct err *e);

/* The cells (deltas excluded) of one period ("2026-C12") of a release, by table, geo and
 * category; borrowed for the call. */
enum err_code store_ilo_cells(struct store *s, int64_t release_id, const char *period,
                              store_stats_cell_cb cb, void *ctx, struct err *e);

/* Item (a) of year: *text, *author (display name) and *updated_at are new memory the
 * caller frees; they stay NULL with ERR_NOT_FOUND when nothing was written. */
enum err_code store_ilo_text_get(struct store *s, int year, char **text, char **author,
                                 char **updated_at, struct err *e);
/* Writes item (a) of year (at most STORE_ILO_TEXT_MAX bytes) as actor, and the change
 * to the audit chain, in one transaction: both or neither. */
enum err_code store_ilo_text_put(struct store *s, int year, const char *text, int64_t actor_id,
                                 struct err *e);

#endif
