/* store: the persistence interface. Callers speak in domain records (domain/model.h);
 * no SQL and no database header leaks above this line, so that a PostgreSQL backend can
 * sit beside store-sqlite.c without touching a caller. Every function returns an
 * enum err_code and fills the optional struct err. Multi-row writes (an intervention
 * with its themes and follow-ups) are atomic on their own; store_begin/store_commit
 * group many writes into one transaction (bulk loads), and nest: only the outermost
 * commit writes. */
#ifndef STORE_STORE_H
#define STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "domain/model.h"

struct store;

#define STORE_AUDIT_KEY_LEN 32

enum store_flags {
	STORE_CREATE = 1 << 0,   /* create the file when missing */
	STORE_READONLY = 1 << 1,
	STORE_BULK = 1 << 2,     /* bulk loading: bigger cache, fewer syncs (generate, import) */
};

/* Opens (and with STORE_CREATE creates) the database at path and brings its schema up
 * to date. On success *out is a new handle the caller closes with store_close. */
enum err_code store_open(const char *path, unsigned flags, struct store **out, struct err *e);
/* 1 when the handle cannot write: opened with STORE_READONLY, or the database is on a
 * filesystem mounted read-only (store_open then opens it read-only by itself: reads
 * work, writes fail with ERR_STORE "the database is read-only"). */
int store_read_only(const struct store *s);
/* Commits on s no longer copy the WAL back into the database file when it grows (SQLite's
 * automatic checkpoint, run by whichever commit passes the mark, holding up every writer
 * behind it): store_checkpoint does it, from a thread of its own (the server's). */
void store_manual_checkpoints(struct store *s);
/* A passive checkpoint: copies what it can of the WAL into the database without waiting
 * for readers or writers. *wal_frames (may be NULL): frames in the WAL. */
enum err_code store_checkpoint(struct store *s, int *wal_frames, struct err *e);
/* Checkpoints and closes; NULL is a no-op. */
void store_close(struct store *s);
/* The schema version the file is at, and the one this binary brings. */
int store_schema_version(struct store *s);
int store_schema_latest(void);

enum err_code store_begin(struct store *s, struct err *e);
/* Groups the reads that follow into one snapshot until store_read_end (nested calls
 * count): one consistent view and one set of locks instead of one per statement. A write
 * on the handle ends the snapshot first. */
void store_read_begin(struct store *s);
void store_read_end(struct store *s);
enum err_code store_commit(struct store *s, struct err *e);
void store_rollback(struct store *s);

/* Loads the embedded reference data (regions, departments, communes, postcodes, NAF)
 * into their tables; idempotent. */
enum err_code store_refdata_load(struct store *s, struct err *e);

/* Key-value settings kept in the database. *value is new memory, caller frees; it stays
 * NULL with ERR_NOT_FOUND when the key is absent. */
enum err_code store_meta_get(struct store *s, const char *key, char **value, struct err *e);
enum err_code store_meta_set(struct store *s, const char *key, const char *value, struct err *e);

/* ---- Organisation and accounts ---------------------------------------------------- */

enum err_code store_org_unit_insert(struct store *s, const struct org_unit *u, int64_t *id,
                                    struct err *e);
/* Looks a unit up by its code; *id stays 0 with ERR_NOT_FOUND. */
enum err_code store_org_unit_find(struct store *s, const char *code, int64_t *id, struct err *e);
enum err_code store_agent_insert(struct store *s, const struct agent *a, int64_t *id,
                                 struct err *e);
/* Calls cb for the agent with this login; the record is borrowed for the call. */
typedef int (*store_agent_cb)(void *ctx, const struct agent *a);
enum err_code store_agent_find(struct store *s, const char *login, store_agent_cb cb, void *ctx,
                               struct err *e);
/* Calls cb for every account, by login; a non-zero return from cb stops the walk. */
enum err_code store_agent_each(struct store *s, store_agent_cb cb, void *ctx, struct err *e);
enum err_code store_agent_set_password(struct store *s, const char *login, const char *hash,
                                       struct err *e);
enum err_code store_agent_set_disabled(struct store *s, const char *login, int disabled,
                                       struct err *e);
enum err_code store_assignment_insert(struct store *s, const struct assignment *a,
                                      struct err *e);
enum err_code store_absence_insert(struct store *s, const struct absence *a, struct err *e);

/* ---- Registry --------------------------------------------------------------------- */

/* Insert or replace by siren / siret. */
enum err_code store_legal_unit_upsert(struct store *s, const struct legal_unit *u,
                                      struct err *e);
enum err_code store_establishment_upsert(struct store *s, const struct establishment *est,
                                         struct err *e);
/* Walks every establishment in siret order with its legal unit (u may be NULL when the
 * legal unit is unknown); both borrowed for the call. A non-zero return stops. */
typedef int (*store_establishment_cb)(void *ctx, const struct establishment *est,
                                      const struct legal_unit *u);
enum err_code store_establishment_each(struct store *s, store_establishment_cb cb, void *ctx,
                                       struct err *e);
enum err_code store_worksite_insert(struct store *s, const struct worksite *w, int64_t *id,
                                    struct err *e);

/* ---- Nomenclatures and campaigns -------------------------------------------------- */

enum store_nomenclature {
	STORE_NOM_THEME,            /* two levels: parent is NULL at the top */
	STORE_NOM_INTERVENTION_KIND,
	STORE_NOM_FOLLOWUP_KIND,
};
struct nomenclature_item {
	const char *code;
	const char *parent;         /* themes only */
	const char *label;          /* French */
	int flag;                   /* kinds: on site by default / follow-up is a sanction */
};
typedef int (*store_nomenclature_cb)(void *ctx, const struct nomenclature_item *item);
/* Walks the active items of a nomenclature in display order. */
enum err_code store_nomenclature_each(struct store *s, enum store_nomenclature which,
                                      store_nomenclature_cb cb, void *ctx, struct err *e);

/* Inserts the action with its themes and control points; cp_ids (may be NULL) receives
 * the ids of the control points, a->n_control_points of them. */
enum err_code store_priority_action_insert(struct store *s, const struct priority_action *a,
                                           int64_t *id, int64_t *cp_ids, struct err *e);

/* Walks the priority actions running on date that are national or of region_code, by
 * code, with their themes and control points (cp_ids[i] is the id of control point i);
 * all borrowed for the call. */
typedef int (*store_action_cb)(void *ctx, const struct priority_action *a,
                               const int64_t *cp_ids);
enum err_code store_priority_actions_running(struct store *s, const char *date,
                                             const char *region_code, store_action_cb cb,
                                             void *ctx, struct err *e);

/* ---- Interventions ---------------------------------------------------------------- */

/* Inserts an intervention with its co-agents, themes, checkpoints, follow-ups, accidents
 * and diseases, all or nothing. The section is the author's at the intervention's date. */
enum err_code store_intervention_insert(struct store *s, const struct intervention *iv,
                                        int64_t *id, struct err *e);

/* ---- Reading records -------------------------------------------------------------- */

struct establishment_rec {
	struct establishment est;
	struct legal_unit lu;
	int has_legal_unit;
	const char *display_name;    /* usual name, else the legal unit's name, else its person */
	const char *naf_label;
	const char *department_code; /* from the commune */
	const char *region_code;
};
/* Reads one establishment; strings live in arena a. ERR_NOT_FOUND when unknown. */
enum err_code store_establishment_get(struct store *s, const char *siret, struct arena *a,
                                      struct establishment_rec *out, struct err *e);

struct intervention_rec {
	struct intervention iv;      /* with its children; strings and arrays in the arena */
	int64_t section_id;
	const char *region_code;     /* region of the author's section at the time */
	const char *author_login;
	const char *author_name;
	const char *kind_label;
	const char *target_name;     /* the establishment's display name or the worksite's */
	const char *priority_action_code;
	const char *updated_at;
	const char *const *co_agent_names;
};
/* Reads one intervention with its children into arena a; ERR_NOT_FOUND when unknown. */
enum err_code store_intervention_get(struct store *s, int64_t id, struct arena *a,
                                     struct intervention_rec *out, struct err *e);
/* Each record is borrowed for the duration of the callback; non-zero stops the walk. */
typedef int (*store_intervention_cb)(void *ctx, const struct intervention_rec *r);
/* The interventions on an establishment, newest first, at most limit. */
enum err_code store_establishment_history(struct store *s, const char *siret, int limit,
                                          store_intervention_cb cb, void *ctx, struct err *e);
/* The interventions an agent wrote or took part in, between two dates (inclusive),
 * oldest first. For the agent's own view only: the policy decides who calls it. */
enum err_code store_agent_interventions(struct store *s, int64_t agent_id, const char *from,
                                        const char *to, store_intervention_cb cb, void *ctx,
                                        struct err *e);

struct store_activity_row {
	const char *dimension;       /* total, on_site, kind, theme, followup, priority_action */
	const char *code;
	const char *label;
	int64_t n;
};
typedef int (*store_activity_cb)(void *ctx, const struct store_activity_row *r);
/* An agent's own activity between two dates: counts by dimension. */
enum err_code store_agent_activity_counts(struct store *s, int64_t agent_id, const char *from,
                                          const char *to, store_activity_cb cb, void *ctx,
                                          struct err *e);

/* ---- Changing records ------------------------------------------------------------- */

/* Replaces an intervention's fields, themes, co-agents and checkpoints (its follow-ups,
 * accidents and diseases stay), all or nothing; ERR_NOT_FOUND when unknown. */
enum err_code store_intervention_update(struct store *s, int64_t id, const struct intervention *iv,
                                        struct err *e);
enum err_code store_followup_insert(struct store *s, int64_t intervention_id,
                                    const struct followup *f, int64_t *id, struct err *e);
/* Replaces a follow-up's fields and provisions; ERR_NOT_FOUND unless it belongs to
 * the intervention. */
enum err_code store_followup_update(struct store *s, int64_t intervention_id, int64_t followup_id,
                                    const struct followup *f, struct err *e);

/* ---- Existence checks (precise errors before a write) ------------------------------ */

enum store_ref {
	STORE_REF_THEME,             /* an active theme code */
	STORE_REF_INTERVENTION_KIND, /* an active kind code */
	STORE_REF_FOLLOWUP_KIND,     /* an active follow-up kind code */
	STORE_REF_ESTABLISHMENT,     /* a SIRET (code) */
	STORE_REF_WORKSITE,          /* a worksite id */
	STORE_REF_CONTROL_AGENT,     /* an enabled account of role agent (id) */
};
/* Sets *exists to 1 when the thing named by code (or id) exists. */
enum err_code store_ref_exists(struct store *s, enum store_ref ref, const char *code, int64_t id,
                               int *exists, struct err *e);
/* Sets *applies to 1 when the priority action runs on date and is national or of
 * region_code. */
enum err_code store_priority_action_applies(struct store *s, int64_t action_id, const char *date,
                                            const char *region_code, int *applies,
                                            struct err *e);
/* Sets *belongs to 1 when control point cp_id is one of the action's. */
enum err_code store_control_point_belongs(struct store *s, int64_t cp_id, int64_t action_id,
                                          int *belongs, struct err *e);
/* The id of the enabled control agent with this login (0 and ERR_NOT_FOUND otherwise). */
enum err_code store_control_agent_id(struct store *s, const char *login, int64_t *id,
                                     struct err *e);

/* ---- Audit ------------------------------------------------------------------------ */

/* Appends one entry to the append-only audit table, chained to the previous one by a
 * keyed hash (the key lives in the file DB.key beside the database: see
 * store_audit_key_path). actor_id and owner_id may be 0. */
enum err_code store_audit_append(struct store *s, int64_t actor_id, const char *action,
                                 const char *object_type, const char *object_id,
                                 int64_t owner_id, const char *detail, struct err *e);

/* ---- Sessions and API tokens ------------------------------------------------------ */

#define STORE_TOKEN_HASH_LEN 32

/* Who a session or a token belongs to, as the policy needs it. */
struct store_principal {
	int64_t agent_id;
	enum role role;
	int64_t scope_unit_id;
	char region_code[4];         /* region of the scope unit, "" for national scope */
	char login[65];
	char display_name[121];
	char csrf[48];               /* sessions only */
	int64_t session_id;          /* sessions only */
};

/* Stores a new session for agent_id (token given as its hash). */
enum err_code store_session_create(struct store *s, const unsigned char *hash, int64_t agent_id,
                                   const char *csrf, int64_t now, int64_t expires_at,
                                   struct err *e);
/* Finds the live session with this hash: ERR_AUTH when there is none, when it is past its
 * absolute expiry or idle for more than idle_limit seconds, or when the account is
 * disabled. Refreshes its last-seen time (at most once a minute). */
enum err_code store_session_find(struct store *s, const unsigned char *hash, int64_t now,
                                 int64_t idle_limit, struct store_principal *out,
                                 struct err *e);
enum err_code store_session_delete(struct store *s, const unsigned char *hash, struct err *e);
/* Ends every session of an agent (password change, disabling). */
enum err_code store_session_delete_agent(struct store *s, int64_t agent_id, struct err *e);

enum err_code store_token_create(struct store *s, const unsigned char *hash, int64_t agent_id,
                                 const char *label, const char *prefix, int64_t *id,
                                 struct err *e);
/* Finds the unrevoked token with this hash (ERR_AUTH otherwise) and notes its use. */
enum err_code store_token_find(struct store *s, const unsigned char *hash,
                               struct store_principal *out, struct err *e);
struct store_token {
	int64_t id;
	const char *label;
	const char *prefix;
	const char *created_at;
	const char *last_used_at;    /* NULL when never used */
	const char *revoked_at;      /* NULL while valid */
};
typedef int (*store_token_cb)(void *ctx, const struct store_token *t);
/* Walks an agent's tokens, newest first. */
enum err_code store_token_each(struct store *s, int64_t agent_id, store_token_cb cb, void *ctx,
                               struct err *e);
/* Revokes one of the agent's tokens; ERR_NOT_FOUND when it is not theirs or not valid. */
enum err_code store_token_revoke(struct store *s, int64_t agent_id, int64_t token_id,
                                 struct err *e);

/* Appends the reads of other agents' case records made by actor_id during one request, in
 * one transaction. Read entries are committed without waiting for the disk: they survive
 * a crash of the server, and reach the disk with the next durable commit or checkpoint;
 * only a power loss in between can lose them. This keeps page reads from queueing behind
 * an fsync each. */
struct store_read {
	int64_t intervention_id;
	int64_t owner_id;
};
enum err_code store_audit_reads(struct store *s, int64_t actor_id, const struct store_read *reads,
                                size_t n, struct err *e);

/* Grouped read audits and disk syncs (the server's). Once store_set_readq(s, q) is
 * called (q shared by the handles of one database):
 * - store_audit_reads on s queues its entries in q instead of writing them;
 * - a durable commit on s does not wait for the disk: it is numbered in q.
 * Whoever answers the request takes the tickets with store_readq_take and must not answer
 * before store_readq_state says 1 (entries committed and commits on the disk) or -1 (a
 * commit or a sync failed: answer 503). One thread calls store_readq_flush (commits every
 * queued entry in one transaction) and store_readq_sync (one fdatasync covering every
 * commit numbered before it). A full queue (65,536 entries) makes a request write its own
 * entries at once. */
struct store_readq;
struct store_ticket {
	uint64_t audit, sync; /* 0: nothing to wait for */
};
struct store_readq *store_readq_new(void);
/* q must be empty and no handle use it any more. NULL is a no-op. */
void store_readq_free(struct store_readq *q);
void store_set_readq(struct store *s, struct store_readq *q);
/* The tickets of what s left to q since the last call, forgotten by s. */
void store_readq_take(struct store *s, struct store_ticket *t);
/* 1 settled, 0 waiting, -1 failed. */
int store_readq_state(struct store_readq *q, const struct store_ticket *t);
/* Waits up to timeout_ms for work; returns how much is waiting (entries and commits). */
size_t store_readq_wait(struct store_readq *q, unsigned timeout_ms);
/* Commits every queued entry on s (a handle of the same database) in one transaction. */
enum err_code store_readq_flush(struct store *s, struct store_readq *q, struct err *e);
/* 1 when commits wait for their sync. */
int store_readq_commits_waiting(struct store_readq *q);
/* Syncs the WAL of s's database once for every commit numbered so far. */
enum err_code store_readq_sync(struct store *s, struct store_readq *q, struct err *e);

/* Walks the whole audit trail and checks its chain. The result says how many entries
 * there are and, when the chain is broken, the first entry concerned and what is wrong
 * (a change, a removal, a reordering, removed last entries). */
struct store_audit_report {
	int64_t entries;
	int64_t unsealed;            /* written before the chain existed */
	int64_t first_bad_id;        /* 0 when the chain is intact */
	char problem[160];
};
enum err_code store_audit_verify(struct store *s, struct store_audit_report *r, struct err *e);

/* "Qui a consulté mes dossiers": the reads of owner_id's records by others, newest first
 * (at most limit). For that agent only: the policy decides who calls it. */
struct store_access {
	const char *at;
	const char *intervention_id;
	const char *intervention_date;
	const char *siret;
	const char *reader_name;
	const char *reader_unit;
};
typedef int (*store_access_cb)(void *ctx, const struct store_access *a);
enum err_code store_access_log(struct store *s, int64_t owner_id, int limit,
                               store_access_cb cb, void *ctx, struct err *e);

/* The audit key's file for database path db: "DB.key". */
void store_audit_key_path(const char *db, char *out, size_t n);

/* ---- Backup, restore, retention --------------------------------------------------- */

/* Writes a consistent copy of the live database to out (and its audit key to OUT.key),
 * while other connections go on writing. out must not exist. */
enum err_code store_backup(struct store *s, const char *out, struct err *e);
/* Checks the backup from (integrity, schema) and copies it into the database at to,
 * which no server may be using; to must not exist unless force. */
enum err_code store_restore(const char *from, const char *to, int force, struct err *e);

/* The retention rules (décret 2022-771 for France): records on inspected establishments
 * are kept case_years after the intervention, case_years_pv where a procès-verbal was
 * drawn up, and as long as a follow-up is under appeal; staff data staff_years after the
 * agent's last assignment ended. */
struct store_retention {
	int case_years;          /* 6 */
	int case_years_pv;       /* 10 */
	int staff_years;         /* 10 */
	const char *today;       /* YYYY-MM-DD */
};
struct store_purge_report {
	int64_t interventions;   /* removed, with their themes, follow-ups, accidents... */
	int64_t followups;
	int64_t worksites;
	int64_t agents;          /* staff records made anonymous */
	int64_t kept_for_appeal; /* past their time but kept while an appeal is open */
};
/* Applies the rules in one transaction (rolled back when dry_run) and reports. Released
 * statistics and the audit trail stay. */
enum err_code store_purge(struct store *s, const struct store_retention *r, int dry_run,
                          struct store_purge_report *out, struct err *e);

/* ---- Summary ---------------------------------------------------------------------- */

struct store_count {
	const char *what;           /* table name, static */
	int64_t n;
};
/* Fills counts[0..*n) with the row counts of the main tables (at most max). */
enum err_code store_summary(struct store *s, struct store_count *counts, size_t max, size_t *n,
                            struct err *e);

#endif
