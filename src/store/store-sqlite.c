/* store-sqlite: the store interface (store.h) on an embedded SQLite database. The only
 * file that includes sqlite3.h. Statements are declared in one table, prepared once per
 * connection and reused; every value is bound, never pasted into SQL. */
#include "store/store.h"
#include "store/store-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <sys/statvfs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/date.h"
#include "core/xalloc.h"
#include "domain/siret.h"

extern const unsigned char migration_0001[], migration_0002[], migration_0003[],
	migration_0004[], migration_0005[], migration_0006[];

/* ---- Migrations: one entry per schema version, applied in order ------------------- */

static const unsigned char *const migrations[] = {
	migration_0001,
	migration_0002,
	migration_0003,
	migration_0004,
	migration_0005,
	migration_0006,
};
#define MIGRATION_COUNT ((int)(sizeof migrations / sizeof migrations[0]))

/* ---- Statements ------------------------------------------------------------------- */

enum stmt_id {
	ST_META_GET,
	ST_META_SET,
	ST_ORG_INSERT,
	ST_ORG_FIND,
	ST_AGENT_INSERT,
	ST_AGENT_FIND,
	ST_AGENT_EACH,
	ST_AGENT_SET_PASSWORD,
	ST_AGENT_SET_DISABLED,
	ST_ASSIGNMENT_INSERT,
	ST_ABSENCE_INSERT,
	ST_LEGAL_UNIT_UPSERT,
	ST_ESTABLISHMENT_UPSERT,
	ST_ESTABLISHMENT_EACH,
	ST_WORKSITE_INSERT,
	ST_WORKSITE_EST_INSERT,
	ST_THEME_EACH,
	ST_INTERVENTION_KIND_EACH,
	ST_FOLLOWUP_KIND_EACH,
	ST_ACTION_INSERT,
	ST_ACTION_THEME_INSERT,
	ST_CONTROL_POINT_INSERT,
	ST_INTERVENTION_INSERT,
	ST_INTERVENTION_AGENT_INSERT,
	ST_INTERVENTION_THEME_INSERT,
	ST_INTERVENTION_CHECKPOINT_INSERT,
	ST_FOLLOWUP_INSERT,
	ST_FOLLOWUP_PROVISION_INSERT,
	ST_ACCIDENT_INSERT,
	ST_DISEASE_INSERT,
	ST_AUDIT_INSERT,
	ST_AUDIT_HEAD,
	ST_AUDIT_WALK,
	ST_AUDIT_READS_OF,
	ST_REGION_UPSERT,
	ST_DEPARTMENT_UPSERT,
	ST_COMMUNE_UPSERT,
	ST_POSTCODE_UPSERT,
	ST_NAF_UPSERT,
	ST_SESSION_INSERT,
	ST_SESSION_FIND,
	ST_SESSION_TOUCH,
	ST_SESSION_DELETE,
	ST_SESSION_DELETE_AGENT,
	ST_TOKEN_INSERT,
	ST_TOKEN_FIND,
	ST_TOKEN_TOUCH,
	ST_TOKEN_EACH,
	ST_TOKEN_REVOKE,
	ST_ESTABLISHMENT_GET,
	ST_INTERVENTION_GET,
	ST_INTERVENTION_THEMES,
	ST_INTERVENTION_COAGENTS,
	ST_INTERVENTION_CHECKPOINTS,
	ST_INTERVENTION_FOLLOWUPS,
	ST_FOLLOWUP_PROVISIONS,
	ST_INTERVENTION_ACCIDENTS,
	ST_INTERVENTION_DISEASES,
	ST_ESTABLISHMENT_HISTORY,
	ST_AGENT_INTERVENTIONS,
	ST_AGENT_ACTIVITY,
	ST_INTERVENTION_UPDATE,
	ST_INTERVENTION_THEMES_DELETE,
	ST_INTERVENTION_COAGENTS_DELETE,
	ST_INTERVENTION_CHECKPOINTS_DELETE,
	ST_FOLLOWUP_UPDATE,
	ST_FOLLOWUP_PROVISIONS_DELETE,
	ST_REF_THEME,
	ST_REF_INTERVENTION_KIND,
	ST_REF_FOLLOWUP_KIND,
	ST_REF_ESTABLISHMENT,
	ST_REF_WORKSITE,
	ST_REF_CONTROL_AGENT,
	ST_ACTION_APPLIES,
	ST_CONTROL_POINT_BELONGS,
	ST_CONTROL_AGENT_ID,
	ST_ACTIONS_RUNNING,
	ST_ACTION_THEMES,
	ST_ACTION_CONTROL_POINTS,
	ST_COUNT
};

#define AGENT_COLUMNS \
	"id, login, display_name, role, coalesce(scope_unit_id, 0), password_hash, sex, grade, " \
	"disabled"

/* An establishment row with its legal unit: 31 columns read by est_from_row. */
#define EST_COLUMNS \
	"e.siret, e.siren, e.nic, e.diffusion, e.created_on, e.headcount_band, " \
	"e.head_office, e.street_number, e.street_repeat, e.street_type, e.street_name, " \
	"e.address_extra, e.postcode, e.commune_name, e.commune_code, e.state, " \
	"e.enseigne1, e.enseigne2, e.enseigne3, e.usual_name, e.naf, e.naf_nomenclature, " \
	"u.siren, u.name, u.acronym, u.last_name, u.first_name, u.legal_category, " \
	"u.company_category, u.state, u.head_nic"
#define EST_FROM "FROM establishment e LEFT JOIN legal_unit u ON u.siren = e.siren"
#define EST_NCOLS 31

/* An intervention's own columns with what a reader needs to show it. */
#define IV_COLUMNS \
	"i.id, i.date, i.kind, i.on_site, i.siret, coalesce(i.worksite_id, 0), i.author_id, " \
	"coalesce(i.priority_action_id, 0), i.note, i.status, i.created_at, i.updated_at, " \
	"coalesce(i.section_id, 0), sec.region_code, a.login, a.display_name, k.label, " \
	"coalesce(ws.name, e.usual_name, u.name, " \
	"nullif(trim(coalesce(u.first_name, '') || ' ' || coalesce(u.last_name, '')), ''), " \
	"e.enseigne1, ''), pa.code"
#define IV_FROM \
	"FROM intervention i JOIN agent a ON a.id = i.author_id " \
	"JOIN intervention_kind k ON k.code = i.kind " \
	"LEFT JOIN org_unit sec ON sec.id = i.section_id " \
	"LEFT JOIN worksite ws ON ws.id = i.worksite_id " \
	"LEFT JOIN establishment e ON e.siret = i.siret " \
	"LEFT JOIN legal_unit u ON u.siren = e.siren " \
	"LEFT JOIN priority_action pa ON pa.id = i.priority_action_id"

/* The interventions an agent wrote or took part in between ?2 and ?3. */
#define MINE \
	"mine AS (SELECT id FROM intervention WHERE author_id = ?1 AND date BETWEEN ?2 AND ?3 " \
	"UNION SELECT i.id FROM intervention i JOIN intervention_agent ia " \
	"ON ia.intervention_id = i.id WHERE ia.agent_id = ?1 AND i.date BETWEEN ?2 AND ?3)"

/* Who is behind a session or token: the agent and the region of their scope unit. */
#define PRINCIPAL_COLUMNS \
	"a.id, a.role, coalesce(a.scope_unit_id, 0), coalesce(u.region_code, ''), a.login, " \
	"a.display_name"
#define PRINCIPAL_JOIN "LEFT JOIN org_unit u ON u.id = a.scope_unit_id"

static const char *const stmt_sql[ST_COUNT] = {
	[ST_META_GET] = "SELECT value FROM meta WHERE key = ?1",
	[ST_META_SET] = "INSERT INTO meta (key, value) VALUES (?1, ?2) "
	                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
	[ST_ORG_INSERT] = "INSERT INTO org_unit (parent_id, level, code, name, region_code, "
	                  "department_code, valid_from, valid_to) "
	                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[ST_ORG_FIND] = "SELECT id FROM org_unit WHERE code = ?1",
	[ST_AGENT_INSERT] = "INSERT INTO agent (login, display_name, role, scope_unit_id, "
	                    "password_hash, sex, grade, disabled, created_at, updated_at) "
	                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
	[ST_AGENT_FIND] = "SELECT " AGENT_COLUMNS " FROM agent WHERE login = ?1",
	[ST_AGENT_EACH] = "SELECT " AGENT_COLUMNS " FROM agent ORDER BY login",
	[ST_AGENT_SET_PASSWORD] = "UPDATE agent SET password_hash = ?2, updated_at = ?3 "
	                          "WHERE login = ?1",
	[ST_AGENT_SET_DISABLED] = "UPDATE agent SET disabled = ?2, updated_at = ?3 "
	                          "WHERE login = ?1",
	[ST_ASSIGNMENT_INSERT] = "INSERT INTO assignment (agent_id, section_id, start_date, "
	                         "end_date, fte) VALUES (?1, ?2, ?3, ?4, ?5)",
	[ST_ABSENCE_INSERT] = "INSERT INTO absence (agent_id, start_date, end_date, reason) "
	                      "VALUES (?1, ?2, ?3, ?4)",
	[ST_LEGAL_UNIT_UPSERT] =
		"INSERT INTO legal_unit (siren, name, acronym, last_name, first_name, "
		"legal_category, company_category, state, head_nic) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, coalesce(?8, 'A'), ?9) "
		"ON CONFLICT (siren) DO UPDATE SET name = excluded.name, acronym = excluded.acronym, "
		"last_name = excluded.last_name, first_name = excluded.first_name, "
		"legal_category = excluded.legal_category, "
		"company_category = excluded.company_category, state = excluded.state, "
		"head_nic = excluded.head_nic",
	[ST_ESTABLISHMENT_UPSERT] =
		"INSERT INTO establishment (siret, siren, nic, diffusion, created_on, "
		"headcount_band, head_office, street_number, street_repeat, street_type, "
		"street_name, address_extra, postcode, commune_name, commune_code, state, "
		"enseigne1, enseigne2, enseigne3, usual_name, naf, naf_nomenclature) "
		"VALUES (?1, ?2, ?3, coalesce(?4, 'O'), ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
		"?14, ?15, coalesce(?16, 'A'), ?17, ?18, ?19, ?20, ?21, ?22) "
		"ON CONFLICT (siret) DO UPDATE SET siren = excluded.siren, nic = excluded.nic, "
		"diffusion = excluded.diffusion, created_on = excluded.created_on, "
		"headcount_band = excluded.headcount_band, head_office = excluded.head_office, "
		"street_number = excluded.street_number, street_repeat = excluded.street_repeat, "
		"street_type = excluded.street_type, street_name = excluded.street_name, "
		"address_extra = excluded.address_extra, postcode = excluded.postcode, "
		"commune_name = excluded.commune_name, commune_code = excluded.commune_code, "
		"state = excluded.state, enseigne1 = excluded.enseigne1, "
		"enseigne2 = excluded.enseigne2, enseigne3 = excluded.enseigne3, "
		"usual_name = excluded.usual_name, naf = excluded.naf, "
		"naf_nomenclature = excluded.naf_nomenclature",
	[ST_ESTABLISHMENT_EACH] = "SELECT " EST_COLUMNS " " EST_FROM " ORDER BY e.siret",
	[ST_ESTABLISHMENT_GET] =
		"SELECT " EST_COLUMNS ", coalesce(e.usual_name, u.name, "
		"nullif(trim(coalesce(u.first_name, '') || ' ' || coalesce(u.last_name, '')), ''), "
		"e.enseigne1, ''), n.label, c.department, d.region " EST_FROM
		" LEFT JOIN naf n ON n.code = e.naf LEFT JOIN commune c ON c.code = e.commune_code "
		"LEFT JOIN department d ON d.code = c.department WHERE e.siret = ?1",
	[ST_WORKSITE_INSERT] = "INSERT INTO worksite (name, address, postcode, commune_code, "
	                       "start_date, end_date, created_by, created_at) "
	                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[ST_WORKSITE_EST_INSERT] = "INSERT OR IGNORE INTO worksite_establishment "
	                           "(worksite_id, siret) VALUES (?1, ?2)",
	[ST_THEME_EACH] = "SELECT t.code, t.parent, t.label, 0 FROM theme t "
	                  "JOIN theme top ON top.code = coalesce(t.parent, t.code) "
	                  "WHERE t.active = 1 AND top.active = 1 "
	                  "ORDER BY top.position, top.code, t.parent IS NOT NULL, t.position",
	[ST_INTERVENTION_KIND_EACH] = "SELECT code, NULL, label, on_site_default "
	                              "FROM intervention_kind WHERE active = 1 ORDER BY position",
	[ST_FOLLOWUP_KIND_EACH] = "SELECT code, NULL, label, sanction FROM followup_kind "
	                          "WHERE active = 1 ORDER BY position",
	[ST_ACTION_INSERT] = "INSERT INTO priority_action (code, title, scope, region_code, "
	                     "start_date, end_date) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_ACTION_THEME_INSERT] = "INSERT OR IGNORE INTO priority_action_theme (action_id, theme) "
	                           "VALUES (?1, ?2)",
	[ST_CONTROL_POINT_INSERT] = "INSERT INTO control_point (action_id, position, label) "
	                            "VALUES (?1, ?2, ?3)",
	[ST_INTERVENTION_INSERT] =
		"INSERT INTO intervention (date, kind, on_site, siret, worksite_id, author_id, "
		"section_id, priority_action_id, note, status, created_at, updated_at) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
		"(SELECT section_id FROM assignment WHERE agent_id = ?6 AND start_date <= ?1 "
		" AND (end_date IS NULL OR end_date >= ?1) ORDER BY start_date DESC LIMIT 1), "
		"?7, ?8, ?9, ?10, ?10)",
	[ST_INTERVENTION_AGENT_INSERT] = "INSERT OR IGNORE INTO intervention_agent "
	                                 "(intervention_id, agent_id) VALUES (?1, ?2)",
	[ST_INTERVENTION_THEME_INSERT] = "INSERT OR IGNORE INTO intervention_theme "
	                                 "(intervention_id, theme) VALUES (?1, ?2)",
	[ST_INTERVENTION_CHECKPOINT_INSERT] =
		"INSERT INTO intervention_checkpoint (intervention_id, control_point_id, state) "
		"VALUES (?1, ?2, ?3)",
	[ST_FOLLOWUP_INSERT] = "INSERT INTO followup (intervention_id, kind, date, status, "
	                       "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
	[ST_FOLLOWUP_PROVISION_INSERT] = "INSERT OR IGNORE INTO followup_provision "
	                                 "(followup_id, provision) VALUES (?1, ?2)",
	[ST_ACCIDENT_INSERT] = "INSERT INTO accident (intervention_id, date, severity, victims) "
	                       "VALUES (?1, ?2, ?3, ?4)",
	[ST_DISEASE_INSERT] = "INSERT INTO disease (intervention_id, date, table_number, victims) "
	                      "VALUES (?1, ?2, ?3, ?4)",
	[ST_AUDIT_INSERT] = "INSERT INTO audit (id, at, actor_id, action, object_type, object_id, "
	                    "owner_id, detail, hash) VALUES (?8, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?9)",
	[ST_AUDIT_HEAD] = "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'audit'), 0), "
	                  "(SELECT hash FROM audit ORDER BY id DESC LIMIT 1)",
	[ST_AUDIT_WALK] = "SELECT id, at, actor_id, action, object_type, object_id, owner_id, detail, "
	                  "hash FROM audit ORDER BY id",
	[ST_AUDIT_READS_OF] =
		"SELECT au.at, au.object_id, a.display_name, coalesce(ou.name, ''), i.date, "
		"coalesce(i.siret, 0) FROM audit au LEFT JOIN agent a ON a.id = au.actor_id "
		"LEFT JOIN org_unit ou ON ou.id = a.scope_unit_id "
		"LEFT JOIN intervention i ON i.id = CAST(au.object_id AS INTEGER) "
		"WHERE au.owner_id = ?1 AND au.action = 'case.read' AND au.actor_id <> ?1 "
		"ORDER BY au.id DESC LIMIT ?2",
	[ST_REGION_UPSERT] = "INSERT INTO region (code, name) VALUES (?1, ?2) "
	                     "ON CONFLICT (code) DO UPDATE SET name = excluded.name",
	[ST_DEPARTMENT_UPSERT] = "INSERT INTO department (code, region, name) VALUES (?1, ?2, ?3) "
	                         "ON CONFLICT (code) DO UPDATE SET region = excluded.region, "
	                         "name = excluded.name",
	[ST_COMMUNE_UPSERT] = "INSERT INTO commune (code, department, name, population) "
	                      "SELECT ?1, ?2, ?3, ?4 WHERE EXISTS "
	                      "(SELECT 1 FROM department WHERE code = ?2) "
	                      "ON CONFLICT (code) DO UPDATE SET department = excluded.department, "
	                      "name = excluded.name, population = excluded.population",
	[ST_POSTCODE_UPSERT] = "INSERT INTO postcode (postcode, commune, delivery_name) "
	                       "SELECT ?1, ?2, ?3 WHERE EXISTS "
	                       "(SELECT 1 FROM commune WHERE code = ?2) "
	                       "ON CONFLICT (postcode, commune) DO UPDATE SET "
	                       "delivery_name = excluded.delivery_name",
	[ST_NAF_UPSERT] = "INSERT INTO naf (code, level, section, label) VALUES (?1, ?2, ?3, ?4) "
	                  "ON CONFLICT (code) DO UPDATE SET level = excluded.level, "
	                  "section = excluded.section, label = excluded.label",
	[ST_SESSION_INSERT] = "INSERT INTO session (token_hash, agent_id, csrf, created_at, "
	                      "last_seen_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
	[ST_SESSION_FIND] = "SELECT s.id, s.csrf, s.last_seen_at, " PRINCIPAL_COLUMNS
	                    " FROM session s JOIN agent a ON a.id = s.agent_id " PRINCIPAL_JOIN
	                    " WHERE s.token_hash = ?1 AND s.expires_at > ?2 "
	                    "AND s.last_seen_at >= ?2 - ?3 AND a.disabled = 0",
	[ST_SESSION_TOUCH] = "UPDATE session SET last_seen_at = ?2 WHERE id = ?1",
	[ST_SESSION_DELETE] = "DELETE FROM session WHERE token_hash = ?1",
	[ST_SESSION_DELETE_AGENT] = "DELETE FROM session WHERE agent_id = ?1",
	[ST_TOKEN_INSERT] = "INSERT INTO api_token (token_hash, agent_id, label, prefix, "
	                    "created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
	[ST_TOKEN_FIND] = "SELECT t.id, '', coalesce(t.last_used_at, ''), " PRINCIPAL_COLUMNS
	                  " FROM api_token t JOIN agent a ON a.id = t.agent_id " PRINCIPAL_JOIN
	                  " WHERE t.token_hash = ?1 AND t.revoked_at IS NULL AND a.disabled = 0",
	[ST_TOKEN_TOUCH] = "UPDATE api_token SET last_used_at = ?2 WHERE id = ?1",
	[ST_TOKEN_EACH] = "SELECT id, label, prefix, created_at, last_used_at, revoked_at "
	                  "FROM api_token WHERE agent_id = ?1 ORDER BY id DESC",
	[ST_INTERVENTION_GET] = "SELECT " IV_COLUMNS " " IV_FROM " WHERE i.id = ?1",
	[ST_INTERVENTION_THEMES] = "SELECT theme FROM intervention_theme WHERE intervention_id = ?1 "
	                           "ORDER BY theme",
	[ST_INTERVENTION_COAGENTS] = "SELECT ia.agent_id, a.display_name FROM intervention_agent ia "
	                             "JOIN agent a ON a.id = ia.agent_id "
	                             "WHERE ia.intervention_id = ?1 ORDER BY ia.agent_id",
	[ST_INTERVENTION_CHECKPOINTS] = "SELECT control_point_id, state FROM intervention_checkpoint "
	                                "WHERE intervention_id = ?1 ORDER BY control_point_id",
	[ST_INTERVENTION_FOLLOWUPS] = "SELECT id, kind, date, status FROM followup "
	                              "WHERE intervention_id = ?1 ORDER BY date, id",
	[ST_FOLLOWUP_PROVISIONS] = "SELECT provision FROM followup_provision WHERE followup_id = ?1 "
	                           "ORDER BY provision",
	[ST_INTERVENTION_ACCIDENTS] = "SELECT date, severity, victims FROM accident "
	                              "WHERE intervention_id = ?1 ORDER BY id",
	[ST_INTERVENTION_DISEASES] = "SELECT date, table_number, victims FROM disease "
	                             "WHERE intervention_id = ?1 ORDER BY id",
	[ST_ESTABLISHMENT_HISTORY] = "SELECT id FROM intervention WHERE siret = ?1 "
	                             "ORDER BY date DESC, id DESC LIMIT ?2",
	[ST_AGENT_INTERVENTIONS] = "WITH " MINE " SELECT i.id FROM intervention i JOIN mine "
	                           "USING (id) ORDER BY i.date, i.id",
	[ST_AGENT_ACTIVITY] =
		"WITH " MINE ", iv AS (SELECT i.* FROM intervention i JOIN mine USING (id)) "
		"SELECT 'total', '', '', count(*), 0 FROM iv "
		"UNION ALL SELECT 'on_site', '', '', count(*), 0 FROM iv WHERE on_site = 1 "
		"UNION ALL SELECT 'action_unchecked', '', '', count(*), 0 FROM iv "
		"WHERE priority_action_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
		"intervention_checkpoint c WHERE c.intervention_id = iv.id AND c.state IN "
		"('compliant', 'non_compliant')) "
		"UNION ALL SELECT 'kind', k.code, k.label, count(iv.id), k.position "
		"FROM intervention_kind k JOIN iv ON iv.kind = k.code GROUP BY k.code "
		"UNION ALL SELECT 'theme', top.code, top.label, count(DISTINCT iv.id), top.position "
		"FROM iv JOIN intervention_theme it ON it.intervention_id = iv.id "
		"JOIN theme t ON t.code = it.theme JOIN theme top ON top.code = coalesce(t.parent, t.code) "
		"GROUP BY top.code "
		"UNION ALL SELECT 'followup', fk.code, fk.label, count(f.id), fk.position "
		"FROM iv JOIN followup f ON f.intervention_id = iv.id "
		"JOIN followup_kind fk ON fk.code = f.kind GROUP BY fk.code "
		"UNION ALL SELECT 'priority_action', pa.code, pa.title, count(iv.id), pa.id "
		"FROM iv JOIN priority_action pa ON pa.id = iv.priority_action_id GROUP BY pa.id "
		"ORDER BY 1, 5",
	[ST_INTERVENTION_UPDATE] =
		"UPDATE intervention SET date = ?2, kind = ?3, on_site = ?4, siret = ?5, "
		"worksite_id = ?6, priority_action_id = ?7, note = ?8, status = ?9, updated_at = ?10, "
		"section_id = (SELECT section_id FROM assignment WHERE agent_id = intervention.author_id "
		"AND start_date <= ?2 AND (end_date IS NULL OR end_date >= ?2) "
		"ORDER BY start_date DESC LIMIT 1) WHERE id = ?1",
	[ST_INTERVENTION_THEMES_DELETE] = "DELETE FROM intervention_theme WHERE intervention_id = ?1",
	[ST_INTERVENTION_COAGENTS_DELETE] = "DELETE FROM intervention_agent WHERE intervention_id = ?1",
	[ST_INTERVENTION_CHECKPOINTS_DELETE] = "DELETE FROM intervention_checkpoint "
	                                       "WHERE intervention_id = ?1",
	[ST_FOLLOWUP_UPDATE] = "UPDATE followup SET kind = ?3, date = ?4, status = ?5, updated_at = ?6 "
	                       "WHERE id = ?2 AND intervention_id = ?1",
	[ST_FOLLOWUP_PROVISIONS_DELETE] = "DELETE FROM followup_provision WHERE followup_id = ?1",
	[ST_REF_THEME] = "SELECT 1 FROM theme WHERE code = ?1 AND active = 1",
	[ST_REF_INTERVENTION_KIND] = "SELECT 1 FROM intervention_kind WHERE code = ?1 AND active = 1",
	[ST_REF_FOLLOWUP_KIND] = "SELECT 1 FROM followup_kind WHERE code = ?1 AND active = 1",
	[ST_REF_ESTABLISHMENT] = "SELECT 1 FROM establishment WHERE siret = ?2",
	[ST_REF_WORKSITE] = "SELECT 1 FROM worksite WHERE id = ?2",
	[ST_REF_CONTROL_AGENT] = "SELECT 1 FROM agent WHERE id = ?2 AND role = 'agent' "
	                         "AND disabled = 0",
	[ST_ACTION_APPLIES] = "SELECT 1 FROM priority_action WHERE id = ?1 AND start_date <= ?2 "
	                      "AND end_date >= ?2 AND (scope = 'national' OR region_code = ?3)",
	[ST_CONTROL_POINT_BELONGS] = "SELECT 1 FROM control_point WHERE id = ?1 AND action_id = ?2",
	[ST_CONTROL_AGENT_ID] = "SELECT id FROM agent WHERE login = ?1 AND role = 'agent' "
	                        "AND disabled = 0",
	[ST_ACTIONS_RUNNING] = "SELECT id, code, title, scope, region_code, start_date, end_date "
	                       "FROM priority_action WHERE start_date <= ?1 AND end_date >= ?1 "
	                       "AND (scope = 'national' OR region_code = ?2) ORDER BY code",
	[ST_ACTION_THEMES] = "SELECT theme FROM priority_action_theme WHERE action_id = ?1 "
	                     "ORDER BY theme",
	[ST_ACTION_CONTROL_POINTS] = "SELECT id, label FROM control_point WHERE action_id = ?1 "
	                             "ORDER BY position",
	[ST_TOKEN_REVOKE] = "UPDATE api_token SET revoked_at = ?3 WHERE id = ?2 AND agent_id = ?1 "
	                    "AND revoked_at IS NULL",
};

struct store {
	sqlite3 *db;
	unsigned flags;
	int tx_depth;                /* store_begin nesting */
	int sp_depth;                /* savepoints open outside store_begin */
	int holds_lock;              /* this handle holds write_lock */
	int read_depth;              /* store_read_begin nesting (a read snapshot is open) */
	int sync_wal;                /* commits are made durable by sync_wal() (not bulk) */
	int no_sync;                 /* the commit under way need not wait for the disk */
	char *wal_path;              /* DB-wal */
	int64_t last_followup;       /* id of the follow-up inserted last */
	unsigned char audit_key[STORE_AUDIT_KEY_LEN]; /* keys the audit chain */
	int has_audit_key;
	struct store_readq *readq;   /* read audits are queued there (borrowed), or NULL */
	uint64_t readq_ticket;       /* the ticket of the reads this handle queued last */
	uint64_t sync_ticket;        /* the commit this handle left to readq's syncer */
	sqlite3_stmt *stmt[ST_COUNT];
};

/* ---- Errors ----------------------------------------------------------------------- */

/* Turns the connection's last error into an err_code with a message. */
static enum err_code db_error(struct store *s, struct err *e, const char *what)
{
	int rc = sqlite3_extended_errcode(s->db);
	const char *msg = sqlite3_errmsg(s->db);

	switch (rc & 0xff) {
	case SQLITE_CONSTRAINT:
		if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
			return err_set(e, ERR_CONFLICT, NULL, "%s: already exists (%s)", what, msg);
		if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
			return err_set(e, ERR_INVALID, NULL, "%s: refers to something that does not exist",
			               what);
		return err_set(e, ERR_INVALID, NULL, "%s: %s", what, msg);
	case SQLITE_FULL:
		return err_set(e, ERR_STORE, NULL, "%s: the disk is full", what);
	case SQLITE_READONLY:
		return err_set(e, ERR_STORE, NULL, "%s: the database is read-only", what);
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return err_set(e, ERR_BUSY, NULL, "%s: the database is busy", what);
	case SQLITE_CANTOPEN:
		return err_set(e, ERR_IO, NULL, "%s: cannot open the database file", what);
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		return err_set(e, ERR_STORE, NULL, "%s: not a valid database (%s)", what, msg);
	default:
		return err_set(e, ERR_STORE, NULL, "%s: %s", what, msg);
	}
}

sqlite3 *store_sqlite_db(struct store *s)
{
	return s->db;
}

enum err_code store_sqlite_error(struct store *s, struct err *e, const char *what)
{
	return db_error(s, e, what);
}

enum err_code store_sqlite_prepare(struct store *s, const char *sql, sqlite3_stmt **st,
                                   const char *what, struct err *e)
{
	if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK)
		return store_sqlite_error(s, e, what);
	return ERR_OK;
}

enum err_code store_sqlite_walk_end(struct store *s, sqlite3_stmt *st, int step,
                                    const char *what, struct err *e)
{
	enum err_code rc = step == SQLITE_DONE ? ERR_OK : store_sqlite_error(s, e, what);

	sqlite3_finalize(st);
	return rc;
}

/* ---- Helpers ---------------------------------------------------------------------- */

static enum err_code exec(struct store *s, const char *sql, struct err *e)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_error(s, e, "database");
	return ERR_OK;
}

/* The prepared statement for id, reset and with its bindings cleared; borrowed. */
static sqlite3_stmt *stmt(struct store *s, enum stmt_id id, struct err *e)
{
	sqlite3_stmt *st = s->stmt[id];

	if (st == NULL) {
		if (sqlite3_prepare_v3(s->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &st,
		                       NULL) != SQLITE_OK) {
			db_error(s, e, "prepare");
			return NULL;
		}
		s->stmt[id] = st;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

/* Binds text, or NULL when v is NULL or empty (absent). */
static void bind_opt(sqlite3_stmt *st, int i, const char *v)
{
	if (v == NULL || v[0] == '\0')
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

/* Binds text as given ("" stays ""). */
static void bind_str(sqlite3_stmt *st, int i, const char *v)
{
	sqlite3_bind_text(st, i, v ? v : "", -1, SQLITE_STATIC);
}

static void bind_id(sqlite3_stmt *st, int i, int64_t id)
{
	if (id > 0)
		sqlite3_bind_int64(st, i, id);
	else
		sqlite3_bind_null(st, i);
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* Writers of this process take turns on one mutex before SQLite's own lock, so that
 * concurrent requests queue in order instead of sleeping in SQLite's busy handler (whose
 * back-off would add tens of milliseconds). Other processes still meet busy_timeout. */
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;

static void end_read(struct store *s);

static void lock_writes(struct store *s)
{
	end_read(s); /* a write never upgrades a read snapshot (it could not, if stale) */
	if (!s->holds_lock) {
		pthread_mutex_lock(&write_lock);
		s->holds_lock = 1;
	}
}

/* Ends a read snapshot opened by store_read_begin, if any. */
static void end_read(struct store *s)
{
	if (s->read_depth > 0) {
		s->read_depth = 0;
		sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	}
}

/* Releases the mutex once no transaction or savepoint of this handle is open. */
static void unlock_writes(struct store *s)
{
	if (s->holds_lock && s->tx_depth == 0 && s->sp_depth == 0) {
		s->holds_lock = 0;
		pthread_mutex_unlock(&write_lock);
	}
}

/* Durability without holding the write lock through the disk wait: commits run with
 * synchronous=NORMAL (the WAL is written, not synced), then each committer, after
 * releasing the lock, syncs the WAL file itself before its write is acknowledged.
 * Committers that finish together share the disk's work, instead of queueing one fsync
 * each behind the lock; what is acknowledged has reached the disk, as with FULL. */
static void readq_defer_sync(struct store *s);

static enum err_code sync_wal(struct store *s, struct err *e)
{
	int fd, rc;

	if (!s->sync_wal || s->no_sync)
		return ERR_OK;
	if (s->readq) { /* the server's syncer does it, the reply waits (store.h) */
		readq_defer_sync(s);
		return ERR_OK;
	}
	fd = open(s->wal_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? ERR_OK /* checkpointed and removed: on disk */
		                       : err_set(e, ERR_STORE, NULL, "cannot sync the journal: %s",
		                                 strerror(errno));
	rc = fdatasync(fd);
	close(fd);
	if (rc != 0)
		return err_set(e, ERR_STORE, NULL, "the disk did not confirm the write: %s",
		               strerror(errno));
	return ERR_OK;
}

/* Steps a statement that returns no row. */
static enum err_code step_done(struct store *s, sqlite3_stmt *st, const char *what,
                               struct err *e)
{
	int alone = !s->holds_lock && !sqlite3_stmt_readonly(st);
	int rc;

	if (alone)
		lock_writes(s);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (alone)
		unlock_writes(s);
	if (rc != SQLITE_DONE)
		return db_error(s, e, what);
	return alone ? sync_wal(s, e) : ERR_OK;
}

/* Parses a run of exactly n digits into *out. */
static enum err_code parse_number(const char *field, const char *v, size_t n, int64_t *out,
                                  struct err *e)
{
	int64_t x = 0;

	if (v == NULL || strlen(v) != n)
		return err_set(e, ERR_INVALID, field, "expected %zu digits", n);
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return err_set(e, ERR_INVALID, field, "expected %zu digits", n);
		x = x * 10 + (v[i] - '0');
	}
	*out = x;
	return ERR_OK;
}

static enum err_code savepoint(struct store *s, struct err *e)
{
	enum err_code rc;

	lock_writes(s);
	s->sp_depth++;
	if ((rc = exec(s, "SAVEPOINT store_op", e)) != ERR_OK) {
		s->sp_depth--;
		unlock_writes(s);
	}
	return rc;
}

static enum err_code release(struct store *s, enum err_code rc, struct err *e)
{
	int outermost = s->tx_depth == 0 && s->sp_depth == 1;

	if (rc == ERR_OK)
		rc = exec(s, "RELEASE store_op", e);
	if (rc != ERR_OK)
		sqlite3_exec(s->db, "ROLLBACK TO store_op; RELEASE store_op", NULL, NULL, NULL);
	s->sp_depth--;
	unlock_writes(s);
	/* The outermost savepoint's release is a commit. */
	return rc == ERR_OK && outermost ? sync_wal(s, e) : rc;
}

/* ---- Opening, migrations, transactions -------------------------------------------- */

int store_schema_latest(void)
{
	return MIGRATION_COUNT;
}

int store_schema_version(struct store *s)
{
	sqlite3_stmt *st;
	int v = -1;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static enum err_code migrate(struct store *s, struct err *e)
{
	int version = store_schema_version(s);
	char sql[64];

	if (version < 0)
		return db_error(s, e, "schema version");
	if (version > MIGRATION_COUNT)
		return err_set(e, ERR_STORE, NULL,
		               "the database is at schema %d, newer than this program's %d", version,
		               MIGRATION_COUNT);
	for (int v = version; v < MIGRATION_COUNT; v++) {
		if (exec(s, "BEGIN IMMEDIATE", e) != ERR_OK)
			return e ? e->code : ERR_STORE;
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v + 1);
		if (sqlite3_exec(s->db, (const char *)migrations[v], NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
			enum err_code rc = db_error(s, e, "migration");

			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			return rc;
		}
		if (exec(s, "COMMIT", e) != ERR_OK)
			return e ? e->code : ERR_STORE;
	}
	return ERR_OK;
}

void store_audit_key_path(const char *db, char *out, size_t n)
{
	snprintf(out, n, "%s.key", db);
}

/* Loads the audit key (64 hexadecimal digits) from DB.key; with create, makes a new random
 * one (mode 0600) when the file does not exist. A missing key is not an error here: a
 * read-only handle does not need it, and writes refuse to go on without it. */
static enum err_code load_audit_key(struct store *s, const char *db, int create, struct err *e)
{
	char path[4096], hex[2 * STORE_AUDIT_KEY_LEN + 2];
	ssize_t n;
	int fd;

	if (strcmp(db, ":memory:") == 0 || db[0] == '\0') {
		/* A database that lives only in memory: a key that lives as long. */
		if (sodium_init() < 0)
			return err_set(e, ERR_INTERNAL, NULL, "libsodium failed to initialise");
		randombytes_buf(s->audit_key, sizeof s->audit_key);
		s->has_audit_key = 1;
		return ERR_OK;
	}
	store_audit_key_path(db, path, sizeof path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create) {
		if (sodium_init() < 0)
			return err_set(e, ERR_INTERNAL, NULL, "libsodium failed to initialise");
		randombytes_buf(s->audit_key, sizeof s->audit_key);
		sodium_bin2hex(hex, sizeof hex, s->audit_key, sizeof s->audit_key);
		hex[2 * STORE_AUDIT_KEY_LEN] = '\n';
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 || write(fd, hex, 2 * STORE_AUDIT_KEY_LEN + 1) != 2 * STORE_AUDIT_KEY_LEN + 1 ||
		    fsync(fd) != 0) {
			int err = errno;

			if (fd >= 0)
				close(fd);
			return err_set(e, ERR_IO, "db", "cannot write the audit key %s: %s", path,
			               strerror(err));
		}
		close(fd);
		s->has_audit_key = 1;
		return ERR_OK;
	}
	if (fd < 0)
		return ERR_OK;
	n = read(fd, hex, sizeof hex - 1);
	close(fd);
	if (n < 2 * STORE_AUDIT_KEY_LEN ||
	    sodium_hex2bin(s->audit_key, sizeof s->audit_key, hex, 2 * STORE_AUDIT_KEY_LEN, NULL,
	                   NULL, NULL) != 0)
		return err_set(e, ERR_STORE, "db", "the audit key %s is not 64 hexadecimal digits",
		               path);
	s->has_audit_key = 1;
	return ERR_OK;
}

/* 1 when path is on a filesystem mounted read-only. */
static int on_readonly_fs(const char *path)
{
	struct statvfs sv;

	return statvfs(path, &sv) == 0 && (sv.f_flag & ST_RDONLY);
}

/* "file:PATH?immutable=1" with PATH percent-encoded as a URI path (new memory). SQLite
 * cannot read a WAL database on a read-only filesystem otherwise (it would need to create
 * the -shm file); immutable tells it nobody can change the file. */
static char *immutable_uri(const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(path);
	char *uri = xmalloc(3 * n + 32), *q = uri;

	memcpy(q, "file:", 5);
	q += 5;
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("/-._~", *p) != NULL) {
			*q++ = (char)*p;
		} else {
			*q++ = '%';
			*q++ = hex[*p >> 4];
			*q++ = hex[*p & 15];
		}
	}
	memcpy(q, "?immutable=1", sizeof "?immutable=1");
	return uri;
}

enum err_code store_open(const char *path, unsigned flags, struct store **out, struct err *e)
{
	struct store *s;
	int oflags = SQLITE_OPEN_NOMUTEX, opened;
	char *uri = NULL;
	enum err_code rc;

	*out = NULL;
	if (path == NULL || path[0] == '\0')
		return err_set(e, ERR_INVALID, "db", "a database file name is required");
	/* A database on a read-only filesystem opens read-only (store_read_only says so):
	 * reads work, every write fails with "the database is read-only". */
	if (!(flags & STORE_CREATE) && on_readonly_fs(path)) {
		flags = (flags & ~(unsigned)STORE_BULK) | STORE_READONLY;
		uri = immutable_uri(path);
		oflags |= SQLITE_OPEN_URI;
	}
	if (flags & STORE_READONLY)
		oflags |= SQLITE_OPEN_READONLY;
	else
		oflags |= SQLITE_OPEN_READWRITE | ((flags & STORE_CREATE) ? SQLITE_OPEN_CREATE : 0);
	s = xcalloc(1, sizeof *s);
	s->flags = flags;
	opened = sqlite3_open_v2(uri ? uri : path, &s->db, oflags, NULL);
	free(uri);
	if (opened != SQLITE_OK) {
		rc = s->db ? db_error(s, e, path)
		           : err_set(e, ERR_IO, "db", "cannot open %s", path);
		if (rc == ERR_IO || rc == ERR_STORE)
			err_set(e, rc, "db", "cannot open %s (%s)", path,
			        s->db ? sqlite3_errmsg(s->db) : "out of memory");
		store_close(s);
		return rc;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, 5000);
	/* Durability: WAL, and every acknowledged commit synced to the disk (sync_wal: the
	 * same guarantee as synchronous=FULL, without holding the write lock through the
	 * disk's wait), so that it survives a power loss as well as a crash. Bulk loads trade
	 * that for speed: they are re-run from their source if interrupted. (A memory map for
	 * reads was measured: every commit of another connection makes SQLite unmap it, and
	 * page reads gained nothing.) */
	rc = exec(s, "PRAGMA foreign_keys = ON", e);
	if (rc == ERR_OK && !(flags & STORE_READONLY))
		rc = exec(s, "PRAGMA journal_mode = WAL", e);
	if (rc == ERR_OK)
		rc = exec(s, (flags & STORE_BULK)
		                 ? "PRAGMA synchronous = OFF; PRAGMA cache_size = -1048576; "
		                   "PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = 100000"
		                 : "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -32768",
		          e);
	if (!(flags & (STORE_BULK | STORE_READONLY))) {
		size_t n = strlen(path) + 5;

		s->wal_path = xmalloc(n);
		snprintf(s->wal_path, n, "%s-wal", path);
		s->sync_wal = 1;
	}
	if (rc == ERR_OK && !(flags & STORE_READONLY))
		rc = migrate(s, e);
	if (rc == ERR_OK)
		rc = load_audit_key(s, path, (flags & STORE_CREATE) && !(flags & STORE_READONLY), e);
	if (rc == ERR_OK && (flags & STORE_READONLY) &&
	    store_schema_version(s) != MIGRATION_COUNT)
		rc = err_set(e, ERR_STORE, "db", "%s is at schema %d, this program expects %d", path,
		             store_schema_version(s), MIGRATION_COUNT);
	if (rc != ERR_OK) {
		if (e && e->field[0] == '\0')
			snprintf(e->field, sizeof e->field, "db");
		store_close(s);
		return rc;
	}
	*out = s;
	return ERR_OK;
}

void store_manual_checkpoints(struct store *s)
{
	sqlite3_wal_autocheckpoint(s->db, 0);
}

enum err_code store_checkpoint(struct store *s, int *wal_frames, struct err *e)
{
	int log = 0, done = 0, rc;

	if (s->flags & STORE_READONLY)
		return ERR_OK;
	rc = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
	if (wal_frames)
		*wal_frames = log;
	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		return db_error(s, e, "checkpoint");
	return ERR_OK;
}

int store_read_only(const struct store *s)
{
	return (s->flags & STORE_READONLY) != 0;
}

void store_close(struct store *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->stmt[i]);
	sodium_memzero(s->audit_key, sizeof s->audit_key);
	free(s->wal_path);
	if (s->db) {
		end_read(s);
		if (s->tx_depth > 0)
			store_rollback(s);
		if (!(s->flags & STORE_READONLY))
			sqlite3_exec(s->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
		sqlite3_close(s->db);
	}
	free(s);
}

void store_read_begin(struct store *s)
{
	if (s->tx_depth > 0 || s->sp_depth > 0 || s->holds_lock)
		return; /* inside a write transaction: already one snapshot */
	if (s->read_depth++ == 0 && sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		s->read_depth = 0;
}

void store_read_end(struct store *s)
{
	if (s->read_depth > 1)
		s->read_depth--;
	else
		end_read(s);
}

enum err_code store_begin(struct store *s, struct err *e)
{
	if (s->tx_depth == 0) {
		lock_writes(s);
		if (exec(s, "BEGIN IMMEDIATE", e) != ERR_OK) {
			unlock_writes(s);
			return e ? e->code : ERR_STORE;
		}
	}
	s->tx_depth++;
	return ERR_OK;
}

enum err_code store_commit(struct store *s, struct err *e)
{
	if (s->tx_depth == 0)
		return err_set(e, ERR_INTERNAL, NULL, "commit without a transaction");
	if (s->tx_depth == 1 && exec(s, "COMMIT", e) != ERR_OK) {
		store_rollback(s);
		return e ? e->code : ERR_STORE;
	}
	s->tx_depth--;
	unlock_writes(s);
	return s->tx_depth == 0 ? sync_wal(s, e) : ERR_OK;
}

void store_rollback(struct store *s)
{
	if (s->tx_depth > 0)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->tx_depth = 0;
	unlock_writes(s);
}

/* ---- Reference data --------------------------------------------------------------- */

#include "domain/refdata.h"

enum err_code store_refdata_load(struct store *s, struct err *e)
{
	const struct refdata *d = refdata_get();
	enum err_code rc = store_begin(s, e);
	sqlite3_stmt *st = NULL;

	if (rc != ERR_OK)
		return rc;
	for (size_t i = 0; rc == ERR_OK && i < d->n_regions; i++) {
		if ((st = stmt(s, ST_REGION_UPSERT, e)) == NULL)
			break;
		bind_str(st, 1, d->regions[i].code);
		bind_str(st, 2, d->regions[i].name);
		rc = step_done(s, st, "region", e);
	}
	for (size_t i = 0; rc == ERR_OK && i < d->n_departments; i++) {
		if ((st = stmt(s, ST_DEPARTMENT_UPSERT, e)) == NULL)
			break;
		bind_str(st, 1, d->departments[i].code);
		bind_str(st, 2, d->departments[i].region);
		bind_str(st, 3, d->departments[i].name);
		rc = step_done(s, st, "department", e);
	}
	for (size_t i = 0; rc == ERR_OK && i < d->n_communes; i++) {
		if ((st = stmt(s, ST_COMMUNE_UPSERT, e)) == NULL)
			break;
		bind_str(st, 1, d->communes[i].code);
		bind_str(st, 2, d->communes[i].department);
		bind_str(st, 3, d->communes[i].name);
		sqlite3_bind_int(st, 4, d->communes[i].population);
		rc = step_done(s, st, "commune", e);
	}
	for (size_t i = 0; rc == ERR_OK && i < d->n_postcodes; i++) {
		if ((st = stmt(s, ST_POSTCODE_UPSERT, e)) == NULL)
			break;
		bind_str(st, 1, d->postcodes[i].postcode);
		bind_str(st, 2, d->postcodes[i].commune);
		bind_str(st, 3, d->postcodes[i].delivery_name);
		rc = step_done(s, st, "postcode", e);
	}
	for (size_t i = 0; rc == ERR_OK && i < d->n_naf; i++) {
		if ((st = stmt(s, ST_NAF_UPSERT, e)) == NULL)
			break;
		bind_str(st, 1, d->naf[i].code);
		bind_str(st, 2, d->naf[i].level);
		bind_opt(st, 3, d->naf[i].section);
		bind_str(st, 4, d->naf[i].label);
		rc = step_done(s, st, "naf", e);
	}
	if (st == NULL && rc == ERR_OK)
		rc = e ? e->code : ERR_STORE;
	if (rc != ERR_OK) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s, e);
}

/* ---- Meta ------------------------------------------------------------------------- */

enum err_code store_meta_get(struct store *s, const char *key, char **value, struct err *e)
{
	sqlite3_stmt *st = stmt(s, ST_META_GET, e);
	int rc;

	*value = NULL;
	if (st == NULL)
		return ERR_STORE;
	bind_str(st, 1, key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*value = xstrdup(col_text(st, 0));
		sqlite3_reset(st);
		return ERR_OK;
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return err_set(e, ERR_NOT_FOUND, "key", "no setting named %s", key);
	return db_error(s, e, "meta");
}

enum err_code store_meta_set(struct store *s, const char *key, const char *value, struct err *e)
{
	sqlite3_stmt *st = stmt(s, ST_META_SET, e);

	if (st == NULL)
		return ERR_STORE;
	bind_str(st, 1, key);
	bind_str(st, 2, value);
	return step_done(s, st, "meta", e);
}

/* ---- Organisation and accounts ---------------------------------------------------- */

enum err_code store_org_unit_insert(struct store *s, const struct org_unit *u, int64_t *id,
                                    struct err *e)
{
	sqlite3_stmt *st = stmt(s, ST_ORG_INSERT, e);
	enum err_code rc;

	if (st == NULL)
		return ERR_STORE;
	bind_id(st, 1, u->parent_id);
	bind_str(st, 2, model_org_level_name(u->level));
	bind_str(st, 3, u->code);
	bind_str(st, 4, u->name);
	bind_opt(st, 5, u->region_code);
	bind_opt(st, 6, u->department_code);
	bind_str(st, 7, u->valid_from);
	bind_opt(st, 8, u->valid_to);
	rc = step_done(s, st, "org_unit", e);
	if (rc == ERR_OK && id)
		*id = sqlite3_last_insert_rowid(s->db);
	return rc;
}

enum err_code store_org_unit_find(struct store *s, const char *code, int64_t *id, struct err *e)
{
	sqlite3_stmt *st = stmt(s, ST_ORG_FIND, e);
	int rc;

	*id = 0;
	if (st == NULL)
		return ERR_STORE;
	bind_str(st, 1, code);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return ERR_OK;
	if (rc == SQLITE_DONE)
		return err_set(e, ERR_NOT_FOUND, "unit", "no organisation unit with code %s", code);
	return db_error(s, e, "org_unit");
}

enum err_code store_agent_insert(struct store *s, const struct agent *a, int64_t *id,
                                 struct err *e)
{
	sqlite3_stmt *st = stmt(s, ST_AGENT_INSERT, e);
	char now[DATE_STAMP_LEN];
	enum err_code rc;

	if (st == NULL)
		return ERR_STORE;
	bind_str(st, 1, a->login);
	bind_str(st, 2, a->display_name);
	bind_str(st, 3, model_role_name(a->role));
	bind_id(st, 4, a->scope_unit_id);
	bind_opt(st, 5, a->password_hash);
	bind_opt(st, 6, a->sex);
	bind_opt(st, 7, a->grade);
	sqlite3_bind_int(st, 8, a->disabled ? 1 : 0);
	bind_str(st, 9, date_now_stamp(now));
	rc = step_done(s, st, "agent", e);
	if (rc == ERR_CONFLICT)
		return err_set(e, ERR_CONFLICT, "login", "the login %s is taken", a->login);
	if (rc == ERR_OK && id)
		*id = sqlite3_last_insert_rowid(s->db);
	return rc;
}

static void agent_from_row(sqlite3_stmt *st, struct agent *a)
{
	memset(a, 0, sizeof *a);
	a->id = sqlite3_column_int64(st, 0);
	a->login = col_text(st, 1);
	a->display_name = col_text(st, 2);
	if (model_role_parse(col_text(st, 3), &a->role) != 0)
		a->role = ROLE_AGENT;
	a->scope_unit_id = sqlite3_column_int64(st, 4);
	a->password_hash = col_text(st, 5);
	a->sex = col_text(st, 6);
	a->grade = col_text(st, 7);
	a->disabled = sqlite3_column_int(st, 8);
}

/* Walks the rows of a prepared agent query; stops when cb returns non-zero. */
static enum err_code agent_rows(struct store *s, sqlite3_stmt *st, store_agent_cb cb, void *ctx,
                                int *found, struct err *e)
{
	struct agent a;
	int rc;

	*found = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*found += 1;
		agent_from_row(st, &a);
		if (cb(ctx, &a) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? ERR_OK : db_error(s, e, "agent");
}

enum err_code store_agent_find(struct store *s, const char *login, store_agent_cb cb, void *ctx,
                               struct err *e)
{
	sqlite3_stmt *st = stmt(s, ST_AGENT_FIND, e);
	enum err_code rc;
	int found;

	if (st == NULL)
		return ERR_STORE;
	bind_str(st, 1, login);
	rc = agent_rows(s, st, cb, ctx, &found, e);
	if (rc == ERR_OK && !found)
		return err_set(e, ERR_NOT_FOUND, "login", "no account with login %s", login);
	return rc;
}

enum err_code store_agent_each(struct store *s, store_agent_cb cb, void *ctx, struct err *e)
{
	sqlite3_stmt *st = stmt(s, ST_AGENT_EACH, e);
	int found;

	if (st == NULL)
		return ERR_STORE;
	return agent_rows(s, st, cb, ctx, &found, e);
}

/* Runs an UPDATE keyed by login; ERR_NOT_FOUND when no account has it. */
static enum err_code agent_update(struct store *s, enum stmt_id id, const char *login,
                                  sqlite3_stmt *st, struct err *e)
{
	char now[DATE_STAMP_LEN];
	enum err_code rc;

	(void)id;
	bind_str(st, 1, login);
	bind_str(st, 3, date_now_stamp(now));
	rc = step_done(s, st, "agent", e);
	if (rc == ERR_OK && sqlite3_changes(s->db) == 0)
		return err_set(e, ERR_NOT_FOUND, "login", "no account with login %s", login);
	return rc;
}

enum err_code store_agent_set_password(struct store *s, const char *login, const char *hash,
                                       struct err *e)
{
	sqlite3_stmt *st = stmt(s, ST_AGENT_SET_PASSWORD, e);

	if (st == NULL)
		return ERR_STORE;
	bind_opt(st, 2, hash);
	return agent_update(s, ST_AGENT_SET_PASSWORD, login, st, e);
}

enum err_code store_agent_set_disabled(struct store *s, const char *login, int disabled,
                                       struct err *e)
{
	sqlite3_stmt *st = stmt(s, ST_AGENT_SET_DISABLED, e);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int(st, 2, disabled ? 1 : 0);
	return agent_update(s, ST_AGENT_SET_DISABLED, login, st, e);
}

enum err_code store_assignment_insert(struct store *s, const struct assignment *a,
                                      struct err *e)
{
	sqlite3_stmt *st = stmt(s, ST_ASSIGNMENT_INSERT, e);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, a->agent_id);
	sqlite3_bind_int64(st, 2, a->section_id);
	bind_str(st, 3, a->start_date);
	bind_opt(st, 4, a->end_date);
	sqlite3_bind_double(st, 5, a->fte > 0 ? a->fte : 1.0);
	return step_done(s, st, "assignment", e);
}

enum err_code store_absence_insert(struct store *s, const struct absence *a, struct err *e)
{
	sqlite3_stmt *st = stmt(s, ST_ABSENCE_INSERT, e);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, a->agent_id);
	bind_str(st, 2, a->start_date);
	bind_str(st, 3, a->end_date);
	bind_str(st, 4, a->reason);
	return step_done(s, st, "absence", e);
}

/* ---- Registry --------------------------------------------------------------------- */

enum err_code store_legal_unit_upsert(struct store *s, const struct legal_unit *u,
                                      struct err *e)
{
	sqlite3_stmt *st;
	int64_t siren = 0;

	if (parse_number("siren", u->siren, 9, &siren, e) != ERR_OK)
		return ERR_INVALID;
	if ((st = stmt(s, ST_LEGAL_UNIT_UPSERT, e)) == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, siren);
	bind_opt(st, 2, u->name);
	bind_opt(st, 3, u->acronym);
	bind_opt(st, 4, u->last_name);
	bind_opt(st, 5, u->first_name);
	bind_opt(st, 6, u->legal_category);
	bind_opt(st, 7, u->company_category);
	bind_opt(st, 8, u->state);
	bind_opt(st, 9, u->head_nic);
	return step_done(s, st, "legal_unit", e);
}

enum err_code store_establishment_upsert(struct store *s, const struct establishment *est,
                                         struct err *e)
{
	sqlite3_stmt *st;
	int64_t siret = 0, siren = 0;

	if (parse_number("siret", est->siret, 14, &siret, e) != ERR_OK)
		return ERR_INVALID;
	if (est->siren && est->siren[0]) {
		if (parse_number("siren", est->siren, 9, &siren, e) != ERR_OK)
			return ERR_INVALID;
	} else {
		siren = siret / 100000;
	}
	if ((st = stmt(s, ST_ESTABLISHMENT_UPSERT, e)) == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, siret);
	sqlite3_bind_int64(st, 2, siren);
	if (est->nic && est->nic[0])
		bind_str(st, 3, est->nic);
	else
		sqlite3_bind_text(st, 3, est->siret + 9, 5, SQLITE_STATIC);
	bind_opt(st, 4, est->diffusion);
	bind_opt(st, 5, est->created_on);
	bind_opt(st, 6, est->headcount_band);
	sqlite3_bind_int(st, 7, est->head_office ? 1 : 0);
	bind_opt(st, 8, est->street_number);
	bind_opt(st, 9, est->street_repeat);
	bind_opt(st, 10, est->street_type);
	bind_opt(st, 11, est->street_name);
	bind_opt(st, 12, est->address_extra);
	bind_opt(st, 13, est->postcode);
	bind_opt(st, 14, est->commune_name);
	bind_opt(st, 15, est->commune_code);
	bind_opt(st, 16, est->state);
	bind_opt(st, 17, est->enseigne1);
	bind_opt(st, 18, est->enseigne2);
	bind_opt(st, 19, est->enseigne3);
	bind_opt(st, 20, est->usual_name);
	bind_opt(st, 21, est->naf);
	bind_opt(st, 22, est->naf_nomenclature);
	return step_done(s, st, "establishment", e);
}

/* Reads the EST_COLUMNS of the current row into est and u (strings borrowed from the
 * statement, identifiers formatted into the caller's buffers); returns 1 when the legal
 * unit is known. */
static int est_from_row(sqlite3_stmt *st, char siret[15], char siren[10], char usiren[10],
                        struct establishment *est, struct legal_unit *u)
{
	siret_format(sqlite3_column_int64(st, 0), siret);
	siret_siren_format(sqlite3_column_int64(st, 1), siren);
	*est = (struct establishment){
		.siret = siret, .siren = siren, .nic = col_text(st, 2),
		.diffusion = col_text(st, 3), .created_on = col_text(st, 4),
		.headcount_band = col_text(st, 5), .head_office = sqlite3_column_int(st, 6),
		.street_number = col_text(st, 7), .street_repeat = col_text(st, 8),
		.street_type = col_text(st, 9), .street_name = col_text(st, 10),
		.address_extra = col_text(st, 11), .postcode = col_text(st, 12),
		.commune_name = col_text(st, 13), .commune_code = col_text(st, 14),
		.state = col_text(st, 15), .enseigne1 = col_text(st, 16),
		.enseigne2 = col_text(st, 17), .enseigne3 = col_text(st, 18),
		.usual_name = col_text(st, 19), .naf = col_text(st, 20),
		.naf_nomenclature = col_text(st, 21),
	};
	memset(u, 0, sizeof *u);
	if (sqlite3_column_type(st, 22) == SQLITE_NULL)
		return 0;
	siret_siren_format(sqlite3_column_int64(st, 22), usiren);
	*u = (struct legal_unit){
		.siren = usiren, .name = col_text(st, 23), .acronym = col_text(st, 24),
		.last_name = col_text(st, 25), .first_name = col_text(st, 26),
		.legal_category = col_text(st, 27), .company_category = col_text(st, 28),
		.state = col_text(st, 29), .head_nic = col_text(st, 30),
	};
	return 1;
}

enum err_code store_establishment_each(struct store *s, store_establishment_cb cb, void *ctx,
                                       struct err *e)
{
	sqlite3_stmt *st = stmt(s, ST_ESTABLISHMENT_EACH, e);
	char siret[15], siren[10], usiren[10];
	struct establishment est;
	struct legal_unit u;
	int rc, has;

	if (st == NULL)
		return ERR_STORE;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		has = est_from_row(st, siret, siren, usiren, &est, &u);
		if (cb(ctx, &est, has ? &u : NULL) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? ERR_OK : db_error(s, e, "establishment");
}

enum err_code store_worksite_insert(struct store *s, const struct worksite *w, int64_t *id,
                                    struct err *e)
{
	char now[DATE_STAMP_LEN];
	sqlite3_stmt *st;
	enum err_code rc;
	int64_t wid = 0, siret;

	if ((rc = savepoint(s, e)) != ERR_OK)
		return rc;
	if ((st = stmt(s, ST_WORKSITE_INSERT, e)) == NULL) {
		rc = ERR_STORE;
		goto out;
	}
	bind_str(st, 1, w->name);
	bind_str(st, 2, w->address);
	bind_opt(st, 3, w->postcode);
	bind_str(st, 4, w->commune_code);
	bind_opt(st, 5, w->start_date);
	bind_opt(st, 6, w->end_date);
	bind_id(st, 7, w->created_by);
	bind_str(st, 8, date_now_stamp(now));
	if ((rc = step_done(s, st, "worksite", e)) != ERR_OK)
		goto out;
	wid = sqlite3_last_insert_rowid(s->db);
	for (size_t i = 0; i < w->n_sirets; i++) {
		if ((rc = parse_number("sirets", w->sirets[i], 14, &siret, e)) != ERR_OK)
			goto out;
		if ((st = stmt(s, ST_WORKSITE_EST_INSERT, e)) == NULL) {
			rc = ERR_STORE;
			goto out;
		}
		sqlite3_bind_int64(st, 1, wid);
		sqlite3_bind_int64(st, 2, siret);
		if ((rc = step_done(s, st, "worksite establishment", e)) != ERR_OK)
			goto out;
	}
out:
	rc = release(s, rc, e);
	if (rc == ERR_OK && id)
		*id = wid;
	return rc;
}

/* ---- Nomenclatures and campaigns -------------------------------------------------- */

enum err_code store_nomenclature_each(struct store *s, enum store_nomenclature which,
                                      store_nomenclature_cb cb, void *ctx, struct err *e)
{
	static const enum stmt_id ids[] = {
		[STORE_NOM_THEME] = ST_THEME_EACH,
		[STORE_NOM_INTERVENTION_KIND] = ST_INTERVENTION_KIND_EACH,
		[STORE_NOM_FOLLOWUP_KIND] = ST_FOLLOWUP_KIND_EACH,
	};
	struct nomenclature_item item;
	sqlite3_stmt *st;
	int rc;

	if ((unsigned)which >= sizeof ids / sizeof ids[0])
		return err_set(e, ERR_INTERNAL, NULL, "unknown nomenclature %d", (int)which);
	if ((st = stmt(s, ids[which], e)) == NULL)
		return ERR_STORE;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		item = (struct nomenclature_item){
			.code = col_text(st, 0), .parent = col_text(st, 1), .label = col_text(st, 2),
			.flag = sqlite3_column_int(st, 3),
		};
		if (cb(ctx, &item) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? ERR_OK : db_error(s, e, "nomenclature");
}

enum err_code store_priority_action_insert(struct store *s, const struct priority_action *a,
                                           int64_t *id, int64_t *cp_ids, struct err *e)
{
	sqlite3_stmt *st;
	enum err_code rc;
	int64_t aid = 0;

	if ((rc = savepoint(s, e)) != ERR_OK)
		return rc;
	if ((st = stmt(s, ST_ACTION_INSERT, e)) == NULL) {
		rc = ERR_STORE;
		goto out;
	}
	bind_str(st, 1, a->code);
	bind_str(st, 2, a->title);
	bind_str(st, 3, a->scope);
	bind_opt(st, 4, a->region_code);
	bind_str(st, 5, a->start_date);
	bind_str(st, 6, a->end_date);
	if ((rc = step_done(s, st, "priority_action", e)) != ERR_OK)
		goto out;
	aid = sqlite3_last_insert_rowid(s->db);
	for (size_t i = 0; i < a->n_themes; i++) {
		if ((st = stmt(s, ST_ACTION_THEME_INSERT, e)) == NULL) {
			rc = ERR_STORE;
			goto out;
		}
		sqlite3_bind_int64(st, 1, aid);
		bind_str(st, 2, a->themes[i]);
		if ((rc = step_done(s, st, "priority action theme", e)) != ERR_OK)
			goto out;
	}
	for (size_t i = 0; i < a->n_control_points; i++) {
		if ((st = stmt(s, ST_CONTROL_POINT_INSERT, e)) == NULL) {
			rc = ERR_STORE;
			goto out;
		}
		sqlite3_bind_int64(st, 1, aid);
		sqlite3_bind_int64(st, 2, (int64_t)i + 1);
		bind_str(st, 3, a->control_points[i]);
		if ((rc = step_done(s, st, "control point", e)) != ERR_OK)
			goto out;
		if (cp_ids)
			cp_ids[i] = sqlite3_last_insert_rowid(s->db);
	}
out:
	rc = release(s, rc, e);
	if (rc == ERR_OK && id)
		*id = aid;
	return rc;
}

/* ---- Interventions ---------------------------------------------------------------- */

static enum err_code provisions_insert(struct store *s, int64_t fid, const struct followup *f,
                                       struct err *e);

/* Inserts one follow-up with its provisions. */
static enum err_code followup_insert(struct store *s, int64_t iv_id, const struct followup *f,
                                     const char *now, struct err *e)
{
	sqlite3_stmt *st = stmt(s, ST_FOLLOWUP_INSERT, e);
	enum err_code rc;
	int64_t fid;

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, iv_id);
	bind_str(st, 2, f->kind);
	bind_str(st, 3, f->date);
	bind_str(st, 4, f->status ? f->status : "draft");
	bind_str(st, 5, now);
	if ((rc = step_done(s, st, "followup", e)) != ERR_OK)
		return rc;
	fid = sqlite3_last_insert_rowid(s->db);
	s->last_followup = fid;
	return provisions_insert(s, fid, f, e);
}

static enum err_code intervention_children(struct store *s, int64_t iid,
                                           const struct intervention *iv, struct err *e);

/* Binds (intervention id, int64 or text value) to a two-column child insert and runs it.
 * With text == NULL the int64 is bound. */
static enum err_code child_insert(struct store *s, enum stmt_id id, int64_t iv_id, int64_t n,
                                  const char *text, const char *what, struct err *e)
{
	sqlite3_stmt *st = stmt(s, id, e);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, iv_id);
	if (text)
		bind_str(st, 2, text);
	else
		sqlite3_bind_int64(st, 2, n);
	return step_done(s, st, what, e);
}

enum err_code store_intervention_insert(struct store *s, const struct intervention *iv,
                                        int64_t *id, struct err *e)
{
	char now[DATE_STAMP_LEN];
	const char *created = iv->created_at ? iv->created_at : date_now_stamp(now);
	sqlite3_stmt *st;
	enum err_code rc;
	int64_t iid = 0, siret = 0;

	if (iv->siret && iv->siret[0] &&
	    parse_number("siret", iv->siret, 14, &siret, e) != ERR_OK)
		return ERR_INVALID;
	if ((rc = savepoint(s, e)) != ERR_OK)
		return rc;
	if ((st = stmt(s, ST_INTERVENTION_INSERT, e)) == NULL) {
		rc = ERR_STORE;
		goto out;
	}
	bind_str(st, 1, iv->date);
	bind_str(st, 2, iv->kind);
	sqlite3_bind_int(st, 3, iv->on_site ? 1 : 0);
	bind_id(st, 4, siret);
	bind_id(st, 5, iv->worksite_id);
	sqlite3_bind_int64(st, 6, iv->author_id);
	bind_id(st, 7, iv->priority_action_id);
	bind_str(st, 8, iv->note);
	bind_str(st, 9, iv->status ? iv->status : "final");
	bind_str(st, 10, created);
	if ((rc = step_done(s, st, "intervention", e)) != ERR_OK)
		goto out;
	iid = sqlite3_last_insert_rowid(s->db);
	rc = intervention_children(s, iid, iv, e);
	for (size_t i = 0; rc == ERR_OK && i < iv->n_followups; i++)
		rc = followup_insert(s, iid, &iv->followups[i], created, e);
	for (size_t i = 0; rc == ERR_OK && i < iv->n_accidents; i++) {
		if ((st = stmt(s, ST_ACCIDENT_INSERT, e)) == NULL) {
			rc = ERR_STORE;
			break;
		}
		sqlite3_bind_int64(st, 1, iid);
		bind_str(st, 2, iv->accidents[i].date);
		bind_str(st, 3, iv->accidents[i].severity);
		sqlite3_bind_int(st, 4, iv->accidents[i].victims);
		rc = step_done(s, st, "accidents", e);
	}
	for (size_t i = 0; rc == ERR_OK && i < iv->n_diseases; i++) {
		if ((st = stmt(s, ST_DISEASE_INSERT, e)) == NULL) {
			rc = ERR_STORE;
			break;
		}
		sqlite3_bind_int64(st, 1, iid);
		bind_str(st, 2, iv->diseases[i].date);
		bind_str(st, 3, iv->diseases[i].table_number);
		sqlite3_bind_int(st, 4, iv->diseases[i].victims);
		rc = step_done(s, st, "diseases", e);
	}
out:
	rc = release(s, rc, e);
	if (rc == ERR_OK && id)
		*id = iid;
	return rc;
}

/* ---- Reading records -------------------------------------------------------------- */

/* A copy of the column in the arena (NULL stays NULL). */
static const char *col_dup(struct arena *a, sqlite3_stmt *st, int i)
{
	return arena_strdup(a, col_text(st, i));
}

/* Deep-copies the borrowed strings of an establishment row into the arena. */
static void est_copy(struct arena *a, struct establishment *d, struct legal_unit *u)
{
	const char **fields[] = {
		&d->siret, &d->siren, &d->nic, &d->diffusion, &d->created_on, &d->headcount_band,
		&d->street_number, &d->street_repeat, &d->street_type, &d->street_name,
		&d->address_extra, &d->postcode, &d->commune_name, &d->commune_code, &d->state,
		&d->enseigne1, &d->enseigne2, &d->enseigne3, &d->usual_name, &d->naf,
		&d->naf_nomenclature, &u->siren, &u->name, &u->acronym, &u->last_name,
		&u->first_name, &u->legal_category, &u->company_category, &u->state, &u->head_nic,
	};

	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		*fields[i] = arena_strdup(a, *fields[i]);
}

enum err_code store_establishment_get(struct store *s, const char *siret, struct arena *a,
                                      struct establishment_rec *out, struct err *e)
{
	char siret_buf[15], siren[10], usiren[10];
	sqlite3_stmt *st;
	int64_t key;
	int rc;

	memset(out, 0, sizeof *out);
	if (parse_number("siret", siret, 14, &key, e) != ERR_OK)
		return ERR_INVALID;
	if ((st = stmt(s, ST_ESTABLISHMENT_GET, e)) == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->has_legal_unit = est_from_row(st, siret_buf, siren, usiren, &out->est, &out->lu);
		est_copy(a, &out->est, &out->lu);
		out->display_name = col_dup(a, st, EST_NCOLS);
		out->naf_label = col_dup(a, st, EST_NCOLS + 1);
		out->department_code = col_dup(a, st, EST_NCOLS + 2);
		out->region_code = col_dup(a, st, EST_NCOLS + 3);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return err_set(e, ERR_NOT_FOUND, "siret", "no establishment with SIRET %s", siret);
	if (rc != SQLITE_ROW)
		return db_error(s, e, "establishment");
	if (a->failed)
		return err_set(e, ERR_TOO_BIG, NULL, "the record is too large to read");
	return ERR_OK;
}

/* Runs a child query of intervention (or follow-up) id and calls row for each row,
 * with the row's index. */
static enum err_code each_child(struct store *s, enum stmt_id id, int64_t key,
                                void (*row)(sqlite3_stmt *st, size_t i, void *ctx), void *ctx,
                                size_t *n, struct err *e)
{
	sqlite3_stmt *st = stmt(s, id, e);
	int rc;

	*n = 0;
	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, key);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (row)
			row(st, *n, ctx);
		(*n)++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? ERR_OK : db_error(s, e, "intervention");
}

struct child_ctx {
	struct arena *a;
	struct intervention_rec *r;
	void *items;              /* the array being filled */
	size_t size, cap;         /* bytes of an item, items allocated */
	size_t cap_names;         /* co-agent names allocated (coagent_row) */
	void (*row)(sqlite3_stmt *st, size_t i, void *ctx);
	int failed;               /* the arena is full */
};

static void theme_row(sqlite3_stmt *st, size_t i, void *ctx)
{
	struct child_ctx *c = ctx;

	((const char **)c->items)[i] = col_dup(c->a, st, 0);
}

/* A co-agent fills two arrays: items (ids, grown by grow_row) and the names, grown here
 * to the same capacity. */
static void coagent_row(sqlite3_stmt *st, size_t i, void *ctx)
{
	struct child_ctx *c = ctx;

	if (c->cap_names < c->cap) {
		const char **names = arena_alloc(c->a, c->cap * sizeof *names);

		if (names == NULL) {
			c->failed = 1;
			return;
		}
		if (i > 0)
			memcpy(names, c->r->co_agent_names, i * sizeof *names);
		c->r->co_agent_names = names;
		c->cap_names = c->cap;
	}
	((int64_t *)c->items)[i] = sqlite3_column_int64(st, 0);
	((const char **)c->r->co_agent_names)[i] = col_dup(c->a, st, 1);
}

static void checkpoint_row(sqlite3_stmt *st, size_t i, void *ctx)
{
	struct child_ctx *c = ctx;
	struct checkpoint_state *cp = (struct checkpoint_state *)c->items + i;

	cp->control_point_id = sqlite3_column_int64(st, 0);
	cp->state = col_dup(c->a, st, 1);
}

static void followup_row(sqlite3_stmt *st, size_t i, void *ctx)
{
	struct child_ctx *c = ctx;
	struct followup *f = (struct followup *)c->items + i;

	f->id = sqlite3_column_int64(st, 0);
	f->kind = col_dup(c->a, st, 1);
	f->date = col_dup(c->a, st, 2);
	f->status = col_dup(c->a, st, 3);
}

static void accident_row(sqlite3_stmt *st, size_t i, void *ctx)
{
	struct child_ctx *c = ctx;
	struct accident *x = (struct accident *)c->items + i;

	x->date = col_dup(c->a, st, 0);
	x->severity = col_dup(c->a, st, 1);
	x->victims = sqlite3_column_int(st, 2);
}

static void disease_row(sqlite3_stmt *st, size_t i, void *ctx)
{
	struct child_ctx *c = ctx;
	struct disease *x = (struct disease *)c->items + i;

	x->date = col_dup(c->a, st, 0);
	x->table_number = col_dup(c->a, st, 1);
	x->victims = sqlite3_column_int(st, 2);
}

/* Makes room for item i (doubling from 8 in the arena), then lets c->row fill it. */
static void grow_row(sqlite3_stmt *st, size_t i, void *ctx)
{
	struct child_ctx *c = ctx;

	if (c->failed)
		return;
	if (i == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 8;
		void *items = arena_alloc(c->a, cap * c->size);

		if (items == NULL) {
			c->failed = 1;
			return;
		}
		if (i > 0)
			memcpy(items, c->items, i * c->size);
		c->items = items;
		c->cap = cap;
	}
	c->row(st, i, ctx);
}

/* Reads the rows of a child query in one pass into an array of items of size bytes in
 * the arena (c->items, *n of them), each filled by row. */
static enum err_code load_children(struct store *s, enum stmt_id id, int64_t key, size_t size,
                                   void (*row)(sqlite3_stmt *, size_t, void *),
                                   struct child_ctx *c, size_t *n, struct err *e)
{
	enum err_code rc;

	c->items = NULL;
	c->size = size;
	c->cap = c->cap_names = 0;
	c->row = row;
	c->failed = 0;
	rc = each_child(s, id, key, grow_row, c, n, e);
	if (rc == ERR_OK && c->failed)
		rc = err_set(e, ERR_TOO_BIG, NULL, "the record is too large to read");
	if (*n == 0)
		c->items = NULL;
	return rc;
}

static enum err_code intervention_get(struct store *s, int64_t id, struct arena *a,
                                      struct intervention_rec *out, struct err *e)
{
	struct intervention *iv = &out->iv;
	struct child_ctx c = {.a = a, .r = out};
	char siret[15];
	sqlite3_stmt *st;
	enum err_code rc;
	size_t n;
	int step;

	memset(out, 0, sizeof *out);
	if ((st = stmt(s, ST_INTERVENTION_GET, e)) == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, id);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		iv->id = sqlite3_column_int64(st, 0);
		iv->date = col_dup(a, st, 1);
		iv->kind = col_dup(a, st, 2);
		iv->on_site = sqlite3_column_int(st, 3);
		if (sqlite3_column_type(st, 4) != SQLITE_NULL) {
			siret_format(sqlite3_column_int64(st, 4), siret);
			iv->siret = arena_strdup(a, siret);
		}
		iv->worksite_id = sqlite3_column_int64(st, 5);
		iv->author_id = sqlite3_column_int64(st, 6);
		iv->priority_action_id = sqlite3_column_int64(st, 7);
		iv->note = col_dup(a, st, 8);
		iv->status = col_dup(a, st, 9);
		iv->created_at = col_dup(a, st, 10);
		out->updated_at = col_dup(a, st, 11);
		out->section_id = sqlite3_column_int64(st, 12);
		out->region_code = col_dup(a, st, 13);
		out->author_login = col_dup(a, st, 14);
		out->author_name = col_dup(a, st, 15);
		out->kind_label = col_dup(a, st, 16);
		out->target_name = col_dup(a, st, 17);
		out->priority_action_code = col_dup(a, st, 18);
	}
	sqlite3_reset(st);
	if (step == SQLITE_DONE)
		return err_set(e, ERR_NOT_FOUND, "id", "no intervention %lld", (long long)id);
	if (step != SQLITE_ROW)
		return db_error(s, e, "intervention");

	rc = load_children(s, ST_INTERVENTION_THEMES, id, sizeof(char *), theme_row, &c, &n, e);
	iv->themes = c.items;
	iv->n_themes = n;
	if (rc == ERR_OK) {
		/* Co-agents fill two arrays: ids and names (coagent_row). */
		rc = load_children(s, ST_INTERVENTION_COAGENTS, id, sizeof(int64_t), coagent_row,
		                   &c, &n, e);
		iv->co_agents = c.items;
		iv->n_co_agents = n;
		if (n == 0)
			out->co_agent_names = NULL;
	}
	if (rc == ERR_OK) {
		rc = load_children(s, ST_INTERVENTION_CHECKPOINTS, id, sizeof(struct checkpoint_state),
		                   checkpoint_row, &c, &n, e);
		iv->checkpoints = c.items;
		iv->n_checkpoints = n;
	}
	if (rc == ERR_OK) {
		rc = load_children(s, ST_INTERVENTION_FOLLOWUPS, id, sizeof(struct followup),
		                   followup_row, &c, &n, e);
		iv->followups = c.items;
		iv->n_followups = n;
	}
	for (size_t i = 0; rc == ERR_OK && i < iv->n_followups; i++) {
		struct followup *f = (struct followup *)iv->followups + i;

		rc = load_children(s, ST_FOLLOWUP_PROVISIONS, f->id, sizeof(char *), theme_row, &c, &n,
		                   e);
		f->provisions = c.items;
		f->n_provisions = n;
	}
	if (rc == ERR_OK) {
		rc = load_children(s, ST_INTERVENTION_ACCIDENTS, id, sizeof(struct accident),
		                   accident_row, &c, &n, e);
		iv->accidents = c.items;
		iv->n_accidents = n;
	}
	if (rc == ERR_OK) {
		rc = load_children(s, ST_INTERVENTION_DISEASES, id, sizeof(struct disease), disease_row,
		                   &c, &n, e);
		iv->diseases = c.items;
		iv->n_diseases = n;
	}
	if (rc == ERR_OK && a->failed)
		rc = err_set(e, ERR_TOO_BIG, NULL, "the record is too large to read");
	return rc;
}

enum err_code store_intervention_get(struct store *s, int64_t id, struct arena *a,
                                     struct intervention_rec *out, struct err *e)
{
	enum err_code rc;

	store_read_begin(s); /* the record and its children from one snapshot */
	rc = intervention_get(s, id, a, out, e);
	store_read_end(s);
	return rc;
}

/* Collects the ids a list query returns, then reads and hands over each record (the
 * list statement is done before the records are read). */
static enum err_code each_intervention(struct store *s, sqlite3_stmt *st,
                                       store_intervention_cb cb, void *ctx, struct err *e)
{
	int64_t *ids = NULL;
	size_t n = 0, cap = 0;
	enum err_code rc = ERR_OK;
	int step;

	store_read_begin(s);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			ids = xrealloc(ids, cap * sizeof *ids);
		}
		ids[n++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	if (step != SQLITE_DONE)
		rc = db_error(s, e, "intervention");
	for (size_t i = 0; rc == ERR_OK && i < n; i++) {
		struct intervention_rec r;
		struct arena a;

		arena_init(&a, 1 << 22);
		rc = store_intervention_get(s, ids[i], &a, &r, e);
		if (rc == ERR_OK && cb(ctx, &r) != 0)
			i = n;
		arena_release(&a);
	}
	store_read_end(s);
	free(ids);
	return rc;
}

enum err_code store_establishment_history(struct store *s, const char *siret, int limit,
                                          store_intervention_cb cb, void *ctx, struct err *e)
{
	sqlite3_stmt *st;
	int64_t key;

	if (parse_number("siret", siret, 14, &key, e) != ERR_OK)
		return ERR_INVALID;
	if ((st = stmt(s, ST_ESTABLISHMENT_HISTORY, e)) == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, key);
	sqlite3_bind_int(st, 2, limit > 0 ? limit : 100);
	return each_intervention(s, st, cb, ctx, e);
}

enum err_code store_agent_interventions(struct store *s, int64_t agent_id, const char *from,
                                        const char *to, store_intervention_cb cb, void *ctx,
                                        struct err *e)
{
	sqlite3_stmt *st = stmt(s, ST_AGENT_INTERVENTIONS, e);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, agent_id);
	bind_str(st, 2, from);
	bind_str(st, 3, to);
	return each_intervention(s, st, cb, ctx, e);
}

enum err_code store_agent_activity_counts(struct store *s, int64_t agent_id, const char *from,
                                          const char *to, store_activity_cb cb, void *ctx,
                                          struct err *e)
{
	sqlite3_stmt *st = stmt(s, ST_AGENT_ACTIVITY, e);
	struct store_activity_row r;
	int rc;

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, agent_id);
	bind_str(st, 2, from);
	bind_str(st, 3, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r = (struct store_activity_row){
			.dimension = col_text(st, 0), .code = col_text(st, 1), .label = col_text(st, 2),
			.n = sqlite3_column_int64(st, 3),
		};
		if (cb(ctx, &r) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? ERR_OK : db_error(s, e, "activity");
}

struct action_row_ctx {
	struct arena *a;
	const char **labels;
	int64_t *ids;
};

static void action_theme_row(sqlite3_stmt *st, size_t i, void *ctx)
{
	struct action_row_ctx *c = ctx;

	c->labels[i] = col_dup(c->a, st, 0);
}

static void action_cp_row(sqlite3_stmt *st, size_t i, void *ctx)
{
	struct action_row_ctx *c = ctx;

	c->ids[i] = sqlite3_column_int64(st, 0);
	c->labels[i] = col_dup(c->a, st, 1);
}

enum err_code store_priority_actions_running(struct store *s, const char *date,
                                             const char *region_code, store_action_cb cb,
                                             void *ctx, struct err *e)
{
	struct priority_action *acts = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *st = stmt(s, ST_ACTIONS_RUNNING, e);
	enum err_code rc = ERR_OK;
	struct arena a;
	int step;

	if (st == NULL)
		return ERR_STORE;
	arena_init(&a, 8u << 20);
	bind_str(st, 1, date);
	bind_str(st, 2, region_code);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			acts = xrealloc(acts, cap * sizeof *acts);
		}
		acts[n++] = (struct priority_action){
			.id = sqlite3_column_int64(st, 0), .code = col_dup(&a, st, 1),
			.title = col_dup(&a, st, 2), .scope = col_dup(&a, st, 3),
			.region_code = col_dup(&a, st, 4), .start_date = col_dup(&a, st, 5),
			.end_date = col_dup(&a, st, 6),
		};
	}
	sqlite3_reset(st);
	if (step != SQLITE_DONE)
		rc = db_error(s, e, "priority_action");
	for (size_t i = 0; rc == ERR_OK && i < n; i++) {
		struct action_row_ctx c = {.a = &a};
		size_t k;

		rc = each_child(s, ST_ACTION_THEMES, acts[i].id, NULL, NULL, &k, e);
		c.labels = arena_alloc(&a, (k + 1) * sizeof *c.labels);
		if (rc == ERR_OK && c.labels)
			rc = each_child(s, ST_ACTION_THEMES, acts[i].id, action_theme_row, &c, &k, e);
		acts[i].themes = c.labels;
		acts[i].n_themes = k;
		if (rc == ERR_OK)
			rc = each_child(s, ST_ACTION_CONTROL_POINTS, acts[i].id, NULL, NULL, &k, e);
		c.labels = arena_alloc(&a, (k + 1) * sizeof *c.labels);
		c.ids = arena_alloc(&a, (k + 1) * sizeof *c.ids);
		if (rc == ERR_OK && c.labels && c.ids)
			rc = each_child(s, ST_ACTION_CONTROL_POINTS, acts[i].id, action_cp_row, &c, &k, e);
		acts[i].control_points = c.labels;
		acts[i].n_control_points = k;
		if (rc == ERR_OK && a.failed)
			rc = err_set(e, ERR_TOO_BIG, NULL, "too many priority actions to list");
		if (rc == ERR_OK && cb(ctx, &acts[i], c.ids) != 0)
			break;
	}
	free(acts);
	arena_release(&a);
	return rc;
}

/* ---- Changing records ------------------------------------------------------------- */

/* Inserts the themes, co-agents and checkpoints of iv under intervention iid. */
static enum err_code intervention_children(struct store *s, int64_t iid,
                                           const struct intervention *iv, struct err *e)
{
	enum err_code rc = ERR_OK;
	sqlite3_stmt *st;

	for (size_t i = 0; rc == ERR_OK && i < iv->n_co_agents; i++)
		rc = child_insert(s, ST_INTERVENTION_AGENT_INSERT, iid, iv->co_agents[i], NULL,
		                  "co_agents", e);
	for (size_t i = 0; rc == ERR_OK && i < iv->n_themes; i++)
		rc = child_insert(s, ST_INTERVENTION_THEME_INSERT, iid, 0, iv->themes[i], "themes", e);
	for (size_t i = 0; rc == ERR_OK && i < iv->n_checkpoints; i++) {
		if ((st = stmt(s, ST_INTERVENTION_CHECKPOINT_INSERT, e)) == NULL)
			return ERR_STORE;
		sqlite3_bind_int64(st, 1, iid);
		sqlite3_bind_int64(st, 2, iv->checkpoints[i].control_point_id);
		bind_str(st, 3, iv->checkpoints[i].state);
		rc = step_done(s, st, "checkpoints", e);
	}
	return rc;
}

/* Runs a one-parameter statement (a delete by parent id). */
static enum err_code run_by_id(struct store *s, enum stmt_id id, int64_t key, const char *what,
                               struct err *e)
{
	sqlite3_stmt *st = stmt(s, id, e);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, key);
	return step_done(s, st, what, e);
}

enum err_code store_intervention_update(struct store *s, int64_t id, const struct intervention *iv,
                                        struct err *e)
{
	char now[DATE_STAMP_LEN];
	sqlite3_stmt *st;
	enum err_code rc;
	int64_t siret = 0;

	if (iv->siret && iv->siret[0] &&
	    parse_number("siret", iv->siret, 14, &siret, e) != ERR_OK)
		return ERR_INVALID;
	if ((rc = savepoint(s, e)) != ERR_OK)
		return rc;
	if ((st = stmt(s, ST_INTERVENTION_UPDATE, e)) == NULL) {
		rc = ERR_STORE;
		goto out;
	}
	sqlite3_bind_int64(st, 1, id);
	bind_str(st, 2, iv->date);
	bind_str(st, 3, iv->kind);
	sqlite3_bind_int(st, 4, iv->on_site ? 1 : 0);
	bind_id(st, 5, siret);
	bind_id(st, 6, iv->worksite_id);
	bind_id(st, 7, iv->priority_action_id);
	bind_str(st, 8, iv->note);
	bind_str(st, 9, iv->status ? iv->status : "final");
	bind_str(st, 10, date_now_stamp(now));
	if ((rc = step_done(s, st, "intervention", e)) != ERR_OK)
		goto out;
	if (sqlite3_changes(s->db) == 0) {
		rc = err_set(e, ERR_NOT_FOUND, "id", "no intervention %lld", (long long)id);
		goto out;
	}
	if ((rc = run_by_id(s, ST_INTERVENTION_THEMES_DELETE, id, "themes", e)) != ERR_OK ||
	    (rc = run_by_id(s, ST_INTERVENTION_COAGENTS_DELETE, id, "co_agents", e)) != ERR_OK ||
	    (rc = run_by_id(s, ST_INTERVENTION_CHECKPOINTS_DELETE, id, "checkpoints", e)) != ERR_OK)
		goto out;
	rc = intervention_children(s, id, iv, e);
out:
	return release(s, rc, e);
}

/* Inserts the provisions of follow-up fid. */
static enum err_code provisions_insert(struct store *s, int64_t fid, const struct followup *f,
                                       struct err *e)
{
	enum err_code rc = ERR_OK;

	for (size_t i = 0; rc == ERR_OK && i < f->n_provisions; i++)
		rc = child_insert(s, ST_FOLLOWUP_PROVISION_INSERT, fid, 0, f->provisions[i],
		                  "provisions", e);
	return rc;
}

enum err_code store_followup_insert(struct store *s, int64_t intervention_id,
                                    const struct followup *f, int64_t *id, struct err *e)
{
	char now[DATE_STAMP_LEN];
	enum err_code rc;

	if ((rc = savepoint(s, e)) != ERR_OK)
		return rc;
	rc = followup_insert(s, intervention_id, f, date_now_stamp(now), e);
	if (rc == ERR_OK && id)
		*id = s->last_followup;
	return release(s, rc, e);
}

enum err_code store_followup_update(struct store *s, int64_t intervention_id, int64_t followup_id,
                                    const struct followup *f, struct err *e)
{
	char now[DATE_STAMP_LEN];
	sqlite3_stmt *st;
	enum err_code rc;

	if ((rc = savepoint(s, e)) != ERR_OK)
		return rc;
	if ((st = stmt(s, ST_FOLLOWUP_UPDATE, e)) == NULL) {
		rc = ERR_STORE;
		goto out;
	}
	sqlite3_bind_int64(st, 1, intervention_id);
	sqlite3_bind_int64(st, 2, followup_id);
	bind_str(st, 3, f->kind);
	bind_str(st, 4, f->date);
	bind_str(st, 5, f->status ? f->status : "draft");
	bind_str(st, 6, date_now_stamp(now));
	if ((rc = step_done(s, st, "followup", e)) != ERR_OK)
		goto out;
	if (sqlite3_changes(s->db) == 0) {
		rc = err_set(e, ERR_NOT_FOUND, "id", "no follow-up %lld on this intervention",
		             (long long)followup_id);
		goto out;
	}
	if ((rc = run_by_id(s, ST_FOLLOWUP_PROVISIONS_DELETE, followup_id, "provisions", e)) ==
	    ERR_OK)
		rc = provisions_insert(s, followup_id, f, e);
out:
	return release(s, rc, e);
}

/* ---- Existence checks ------------------------------------------------------------- */

/* Steps a bound one-row query; *found is 1 when it returned a row (and *value, when not
 * NULL, holds its first column). */
static enum err_code probe(struct store *s, sqlite3_stmt *st, int *found, int64_t *value,
                           struct err *e)
{
	int rc = sqlite3_step(st);

	*found = rc == SQLITE_ROW;
	if (value)
		*value = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(s, e, "lookup");
	return ERR_OK;
}

enum err_code store_ref_exists(struct store *s, enum store_ref ref, const char *code, int64_t id,
                               int *exists, struct err *e)
{
	static const enum stmt_id ids[] = {
		[STORE_REF_THEME] = ST_REF_THEME,
		[STORE_REF_INTERVENTION_KIND] = ST_REF_INTERVENTION_KIND,
		[STORE_REF_FOLLOWUP_KIND] = ST_REF_FOLLOWUP_KIND,
		[STORE_REF_ESTABLISHMENT] = ST_REF_ESTABLISHMENT,
		[STORE_REF_WORKSITE] = ST_REF_WORKSITE,
		[STORE_REF_CONTROL_AGENT] = ST_REF_CONTROL_AGENT,
	};
	sqlite3_stmt *st;

	*exists = 0;
	if ((unsigned)ref >= sizeof ids / sizeof ids[0])
		return err_set(e, ERR_INTERNAL, NULL, "unknown reference kind %d", (int)ref);
	if (ref == STORE_REF_ESTABLISHMENT && parse_number("siret", code, 14, &id, NULL) != ERR_OK)
		return ERR_OK; /* not a SIRET: does not exist */
	if ((st = stmt(s, ids[ref], e)) == NULL)
		return ERR_STORE;
	bind_str(st, 1, code);
	sqlite3_bind_int64(st, 2, id);
	return probe(s, st, exists, NULL, e);
}

enum err_code store_priority_action_applies(struct store *s, int64_t action_id, const char *date,
                                            const char *region_code, int *applies,
                                            struct err *e)
{
	sqlite3_stmt *st = stmt(s, ST_ACTION_APPLIES, e);

	*applies = 0;
	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, action_id);
	bind_str(st, 2, date);
	bind_str(st, 3, region_code);
	return probe(s, st, applies, NULL, e);
}

enum err_code store_control_point_belongs(struct store *s, int64_t cp_id, int64_t action_id,
                                          int *belongs, struct err *e)
{
	sqlite3_stmt *st = stmt(s, ST_CONTROL_POINT_BELONGS, e);

	*belongs = 0;
	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, cp_id);
	sqlite3_bind_int64(st, 2, action_id);
	return probe(s, st, belongs, NULL, e);
}

enum err_code store_control_agent_id(struct store *s, const char *login, int64_t *id,
                                     struct err *e)
{
	sqlite3_stmt *st = stmt(s, ST_CONTROL_AGENT_ID, e);
	enum err_code rc;
	int found;

	*id = 0;
	if (st == NULL)
		return ERR_STORE;
	bind_str(st, 1, login);
	if ((rc = probe(s, st, &found, id, e)) != ERR_OK)
		return rc;
	if (!found)
		return err_set(e, ERR_NOT_FOUND, "login", "no control agent with login %s", login);
	return ERR_OK;
}

/* ---- Audit ------------------------------------------------------------------------ */

/* Feeds a length-prefixed text (NULL distinct from "") into the hash. */
static void hash_text(crypto_generichash_state *h, const char *t)
{
	uint32_t n = t ? (uint32_t)strlen(t) : UINT32_MAX;
	unsigned char len[4] = {(unsigned char)n, (unsigned char)(n >> 8), (unsigned char)(n >> 16),
	                        (unsigned char)(n >> 24)};

	crypto_generichash_update(h, len, sizeof len);
	if (t)
		crypto_generichash_update(h, (const unsigned char *)t, strlen(t));
}

static void hash_int(crypto_generichash_state *h, int64_t v)
{
	unsigned char b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)((uint64_t)v >> (8 * i));
	crypto_generichash_update(h, b, sizeof b);
}

/* The chain hash of one entry: keyed BLAKE2b-256 over the previous hash and every field,
 * the id included (so that moving an entry breaks the chain). */
static void audit_hash(const struct store *s, const unsigned char prev[32], int64_t id,
                       const char *at, int64_t actor, const char *action, const char *otype,
                       const char *oid, int64_t owner, const char *detail, unsigned char out[32])
{
	crypto_generichash_state h;

	crypto_generichash_init(&h, s->audit_key, sizeof s->audit_key, 32);
	crypto_generichash_update(&h, prev, 32);
	hash_int(&h, id);
	hash_text(&h, at);
	hash_int(&h, actor);
	hash_text(&h, action);
	hash_text(&h, otype);
	hash_text(&h, oid);
	hash_int(&h, owner);
	hash_text(&h, detail);
	crypto_generichash_final(&h, out, 32);
}

enum err_code store_audit_append(struct store *s, int64_t actor_id, const char *action,
                                 const char *object_type, const char *object_id,
                                 int64_t owner_id, const char *detail, struct err *e)
{
	unsigned char prev[32] = {0}, hash[32];
	char now[DATE_STAMP_LEN];
	const char *otype = object_type && object_type[0] ? object_type : NULL;
	const char *oid = object_id && object_id[0] ? object_id : NULL;
	const char *det = detail && detail[0] ? detail : NULL;
	sqlite3_stmt *st;
	enum err_code rc;
	int64_t id;
	int step;

	if (!s->has_audit_key)
		return err_set(e, ERR_STORE, NULL, "the audit key is missing: nothing can be written");
	if ((rc = savepoint(s, e)) != ERR_OK)
		return rc;
	if ((st = stmt(s, ST_AUDIT_HEAD, e)) == NULL) {
		rc = ERR_STORE;
		goto out;
	}
	step = sqlite3_step(st);
	id = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) + 1 : 0;
	if (step == SQLITE_ROW && sqlite3_column_bytes(st, 1) == 32)
		memcpy(prev, sqlite3_column_blob(st, 1), 32);
	sqlite3_reset(st);
	if (step != SQLITE_ROW) {
		rc = db_error(s, e, "audit");
		goto out;
	}
	date_now_stamp(now);
	audit_hash(s, prev, id, now, actor_id, action, otype, oid, owner_id, det, hash);
	if ((st = stmt(s, ST_AUDIT_INSERT, e)) == NULL) {
		rc = ERR_STORE;
		goto out;
	}
	bind_str(st, 1, now);
	bind_id(st, 2, actor_id);
	bind_str(st, 3, action);
	bind_opt(st, 4, otype);
	bind_opt(st, 5, oid);
	bind_id(st, 6, owner_id);
	bind_opt(st, 7, det);
	sqlite3_bind_int64(st, 8, id);
	sqlite3_bind_blob(st, 9, hash, sizeof hash, SQLITE_STATIC);
	rc = step_done(s, st, "audit", e);
out:
	return release(s, rc, e);
}

enum err_code store_audit_verify(struct store *s, struct store_audit_report *r, struct err *e)
{
	unsigned char prev[32] = {0}, hash[32];
	sqlite3_stmt *st;
	int64_t last = 0, seq;
	int step, sealed = 0;

	memset(r, 0, sizeof *r);
	if (!s->has_audit_key)
		return err_set(e, ERR_STORE, "key", "the audit key is missing: cannot verify");
	if ((st = stmt(s, ST_AUDIT_WALK, e)) == NULL)
		return ERR_STORE;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		int has_hash = sqlite3_column_bytes(st, 8) == 32;

		r->entries++;
		if (id != last + 1 && r->first_bad_id == 0) {
			r->first_bad_id = last + 1;
			snprintf(r->problem, sizeof r->problem, "entries %lld to %lld are missing",
			         (long long)last + 1, (long long)id - 1);
		}
		last = id;
		if (!has_hash) {
			if (sealed && r->first_bad_id == 0) {
				r->first_bad_id = id;
				snprintf(r->problem, sizeof r->problem, "entry %lld lost its seal",
				         (long long)id);
			}
			r->unsealed++;
			continue;
		}
		sealed = 1;
		audit_hash(s, prev, id, col_text(st, 1), sqlite3_column_int64(st, 2), col_text(st, 3),
		           col_text(st, 4), col_text(st, 5), sqlite3_column_int64(st, 6),
		           col_text(st, 7), hash);
		if (sodium_memcmp(hash, sqlite3_column_blob(st, 8), 32) != 0 && r->first_bad_id == 0) {
			r->first_bad_id = id;
			snprintf(r->problem, sizeof r->problem,
			         "entry %lld was changed, moved, or an entry before it was removed",
			         (long long)id);
		}
		memcpy(prev, sqlite3_column_blob(st, 8), 32);
	}
	sqlite3_reset(st);
	if (step != SQLITE_DONE)
		return db_error(s, e, "audit");
	if ((st = stmt(s, ST_AUDIT_HEAD, e)) == NULL)
		return ERR_STORE;
	step = sqlite3_step(st);
	seq = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (seq > last && r->first_bad_id == 0) {
		r->first_bad_id = last + 1;
		snprintf(r->problem, sizeof r->problem, "the last entries (%lld to %lld) are missing",
		         (long long)last + 1, (long long)seq);
	}
	return ERR_OK;
}

enum err_code store_access_log(struct store *s, int64_t owner_id, int limit,
                               store_access_cb cb, void *ctx, struct err *e)
{
	sqlite3_stmt *st = stmt(s, ST_AUDIT_READS_OF, e);
	struct store_access a;
	char siret[15];
	int rc;

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, owner_id);
	sqlite3_bind_int(st, 2, limit > 0 ? limit : 100);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t sr = sqlite3_column_int64(st, 5);

		if (sr)
			siret_format(sr, siret);
		a = (struct store_access){
			.at = col_text(st, 0), .intervention_id = col_text(st, 1),
			.reader_name = col_text(st, 2), .reader_unit = col_text(st, 3),
			.intervention_date = col_text(st, 4), .siret = sr ? siret : NULL,
		};
		if (cb(ctx, &a) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? ERR_OK : db_error(s, e, "audit");
}

/* ---- Sessions and API tokens ------------------------------------------------------ */

enum err_code store_session_create(struct store *s, const unsigned char *hash, int64_t agent_id,
                                   const char *csrf, int64_t now, int64_t expires_at,
                                   struct err *e)
{
	sqlite3_stmt *st = stmt(s, ST_SESSION_INSERT, e);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_blob(st, 1, hash, STORE_TOKEN_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, agent_id);
	bind_str(st, 3, csrf);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_int64(st, 5, expires_at);
	return step_done(s, st, "session", e);
}

/* Copies the principal columns (starting at column first) of the current row. */
static void principal_from_row(sqlite3_stmt *st, int first, struct store_principal *p)
{
	p->agent_id = sqlite3_column_int64(st, first);
	if (model_role_parse(col_text(st, first + 1), &p->role) != 0)
		p->role = ROLE_AGENT;
	p->scope_unit_id = sqlite3_column_int64(st, first + 2);
	snprintf(p->region_code, sizeof p->region_code, "%s", col_text(st, first + 3));
	snprintf(p->login, sizeof p->login, "%s", col_text(st, first + 4));
	snprintf(p->display_name, sizeof p->display_name, "%s", col_text(st, first + 5));
}

enum err_code store_session_find(struct store *s, const unsigned char *hash, int64_t now,
                                 int64_t idle_limit, struct store_principal *out,
                                 struct err *e)
{
	sqlite3_stmt *st = stmt(s, ST_SESSION_FIND, e);
	int64_t last_seen;
	int rc;

	memset(out, 0, sizeof *out);
	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_blob(st, 1, hash, STORE_TOKEN_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, idle_limit);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		if (rc == SQLITE_DONE)
			return err_set(e, ERR_AUTH, NULL, "the session has expired: log in again");
		return db_error(s, e, "session");
	}
	out->session_id = sqlite3_column_int64(st, 0);
	snprintf(out->csrf, sizeof out->csrf, "%s", col_text(st, 1));
	last_seen = sqlite3_column_int64(st, 2);
	principal_from_row(st, 3, out);
	sqlite3_reset(st);
	if (now - last_seen >= 60) {
		if ((st = stmt(s, ST_SESSION_TOUCH, e)) == NULL)
			return ERR_STORE;
		sqlite3_bind_int64(st, 1, out->session_id);
		sqlite3_bind_int64(st, 2, now);
		step_done(s, st, "session", NULL); /* best effort: a read-only disk still serves */
	}
	return ERR_OK;
}

enum err_code store_session_delete(struct store *s, const unsigned char *hash, struct err *e)
{
	sqlite3_stmt *st = stmt(s, ST_SESSION_DELETE, e);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_blob(st, 1, hash, STORE_TOKEN_HASH_LEN, SQLITE_STATIC);
	return step_done(s, st, "session", e);
}

enum err_code store_session_delete_agent(struct store *s, int64_t agent_id, struct err *e)
{
	sqlite3_stmt *st = stmt(s, ST_SESSION_DELETE_AGENT, e);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, agent_id);
	return step_done(s, st, "session", e);
}

enum err_code store_token_create(struct store *s, const unsigned char *hash, int64_t agent_id,
                                 const char *label, const char *prefix, int64_t *id,
                                 struct err *e)
{
	sqlite3_stmt *st = stmt(s, ST_TOKEN_INSERT, e);
	char now[DATE_STAMP_LEN];
	enum err_code rc;

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_blob(st, 1, hash, STORE_TOKEN_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, agent_id);
	bind_str(st, 3, label);
	bind_str(st, 4, prefix);
	bind_str(st, 5, date_now_stamp(now));
	rc = step_done(s, st, "api_token", e);
	if (rc == ERR_OK && id)
		*id = sqlite3_last_insert_rowid(s->db);
	return rc;
}

enum err_code store_token_find(struct store *s, const unsigned char *hash,
                               struct store_principal *out, struct err *e)
{
	sqlite3_stmt *st = stmt(s, ST_TOKEN_FIND, e);
	char now[DATE_STAMP_LEN], last[DATE_STAMP_LEN];
	int64_t id;
	int rc;

	memset(out, 0, sizeof *out);
	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_blob(st, 1, hash, STORE_TOKEN_HASH_LEN, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		if (rc == SQLITE_DONE)
			return err_set(e, ERR_AUTH, NULL, "the API token is unknown or revoked");
		return db_error(s, e, "api_token");
	}
	id = sqlite3_column_int64(st, 0);
	snprintf(last, sizeof last, "%s", col_text(st, 2));
	principal_from_row(st, 3, out);
	sqlite3_reset(st);
	/* Note the use at most once a minute (same "YYYY-MM-DDTHH:MM"). */
	date_now_stamp(now);
	if (strncmp(now, last, 16) != 0) {
		if ((st = stmt(s, ST_TOKEN_TOUCH, e)) == NULL)
			return ERR_STORE;
		sqlite3_bind_int64(st, 1, id);
		bind_str(st, 2, now);
		step_done(s, st, "api_token", NULL); /* best effort */
	}
	return ERR_OK;
}

enum err_code store_token_each(struct store *s, int64_t agent_id, store_token_cb cb, void *ctx,
                               struct err *e)
{
	sqlite3_stmt *st = stmt(s, ST_TOKEN_EACH, e);
	struct store_token t;
	int rc;

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, agent_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		t = (struct store_token){
			.id = sqlite3_column_int64(st, 0), .label = col_text(st, 1),
			.prefix = col_text(st, 2), .created_at = col_text(st, 3),
			.last_used_at = col_text(st, 4), .revoked_at = col_text(st, 5),
		};
		if (cb(ctx, &t) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? ERR_OK : db_error(s, e, "api_token");
}

enum err_code store_token_revoke(struct store *s, int64_t agent_id, int64_t token_id,
                                 struct err *e)
{
	sqlite3_stmt *st = stmt(s, ST_TOKEN_REVOKE, e);
	char now[DATE_STAMP_LEN];
	enum err_code rc;

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, agent_id);
	sqlite3_bind_int64(st, 2, token_id);
	bind_str(st, 3, date_now_stamp(now));
	rc = step_done(s, st, "api_token", e);
	if (rc == ERR_OK && sqlite3_changes(s->db) == 0)
		return err_set(e, ERR_NOT_FOUND, "id", "no valid token %lld for this account",
		               (long long)token_id);
	return rc;
}

/* ---- Read audits in groups ----------------------------------------------------------
 * A page that shows colleagues' records writes one audit entry per record read. Written
 * by each request in its own transaction, those commits halve the server's read
 * throughput: each commit makes every other connection drop its page cache (SQLite resets
 * it when the WAL changed) and queues behind the write lock. With a queue, requests hand
 * their entries over and one writer commits whatever has gathered in one transaction;
 * the server holds each reply back until its entries are committed (a read is never
 * served before it is logged). */

#define READQ_MAX 65536 /* entries waiting; past it a request writes its own */

struct readq_entry {
	int64_t actor_id;
	struct store_read read;
};

struct store_readq {
	pthread_mutex_t lock;
	pthread_cond_t arrived;
	struct readq_entry *v;
	size_t n, cap;
	uint64_t queued; /* ticket of the last entries queued */
	uint64_t done;   /* every ticket up to this one is committed... */
	uint64_t failed; /* ...except those up to this one when it is not below done */
	/* Durable commits whose WAL sync is left to store_readq_sync: numbered once
	 * written (so that a sync started later covers them). */
	uint64_t commits, synced, sync_failed;
};

struct store_readq *store_readq_new(void)
{
	struct store_readq *q = xcalloc(1, sizeof *q);

	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->arrived, NULL);
	return q;
}

void store_readq_free(struct store_readq *q)
{
	if (q == NULL)
		return;
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->arrived);
	free(q->v);
	free(q);
}

void store_set_readq(struct store *s, struct store_readq *q)
{
	s->readq = q;
	s->readq_ticket = s->sync_ticket = 0;
}

void store_readq_take(struct store *s, struct store_ticket *t)
{
	t->audit = s->readq_ticket;
	t->sync = s->sync_ticket;
	s->readq_ticket = s->sync_ticket = 0;
}

static void readq_defer_sync(struct store *s)
{
	struct store_readq *q = s->readq;

	pthread_mutex_lock(&q->lock);
	s->sync_ticket = ++q->commits;
	pthread_cond_signal(&q->arrived);
	pthread_mutex_unlock(&q->lock);
}

int store_readq_state(struct store_readq *q, const struct store_ticket *t)
{
	int state = 1;

	pthread_mutex_lock(&q->lock);
	if (t->audit > q->done || t->sync > q->synced)
		state = 0;
	else if ((t->audit && t->audit <= q->failed) || (t->sync && t->sync <= q->sync_failed))
		state = -1;
	pthread_mutex_unlock(&q->lock);
	return state;
}

int store_readq_commits_waiting(struct store_readq *q)
{
	int waiting;

	pthread_mutex_lock(&q->lock);
	waiting = q->commits > q->synced;
	pthread_mutex_unlock(&q->lock);
	return waiting;
}

enum err_code store_readq_sync(struct store *s, struct store_readq *q, struct err *e)
{
	uint64_t target;
	enum err_code rc;
	struct store_readq *own = s->readq;

	pthread_mutex_lock(&q->lock);
	target = q->commits > q->synced ? q->commits : 0;
	pthread_mutex_unlock(&q->lock);
	if (target == 0)
		return ERR_OK; /* nothing new since the last sync */
	s->readq = NULL; /* sync for real */
	rc = sync_wal(s, e);
	s->readq = own;
	pthread_mutex_lock(&q->lock);
	if (rc != ERR_OK)
		q->sync_failed = target;
	if (target > q->synced)
		q->synced = target;
	pthread_mutex_unlock(&q->lock);
	return rc;
}

size_t store_readq_wait(struct store_readq *q, unsigned timeout_ms)
{
	struct timespec ts;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&q->lock);
	if (q->n == 0 && q->commits == q->synced)
		pthread_cond_timedwait(&q->arrived, &q->lock, &ts);
	n = q->n + (size_t)(q->commits - q->synced);
	pthread_mutex_unlock(&q->lock);
	return n;
}

static enum err_code write_reads(struct store *s, const struct readq_entry *v, size_t n,
                                 struct err *e);

/* Queues n reads of actor_id; a full queue makes the request write its own. */
static enum err_code readq_add(struct store *s, int64_t actor_id, const struct store_read *reads,
                               size_t n, struct err *e)
{
	struct store_readq *q = s->readq;

	pthread_mutex_lock(&q->lock);
	if (q->n + n > READQ_MAX) {
		struct readq_entry *own = xmalloc(n * sizeof *own);
		enum err_code rc;

		pthread_mutex_unlock(&q->lock);
		for (size_t i = 0; i < n; i++)
			own[i] = (struct readq_entry){actor_id, reads[i]};
		rc = write_reads(s, own, n, e);
		free(own);
		return rc;
	}
	if (q->n + n > q->cap) {
		q->cap = q->cap ? q->cap * 2 : 256;
		while (q->cap < q->n + n)
			q->cap *= 2;
		q->v = xrealloc(q->v, q->cap * sizeof *q->v);
	}
	for (size_t i = 0; i < n; i++)
		q->v[q->n++] = (struct readq_entry){actor_id, reads[i]};
	s->readq_ticket = ++q->queued;
	pthread_cond_signal(&q->arrived);
	pthread_mutex_unlock(&q->lock);
	return ERR_OK;
}

enum err_code store_readq_flush(struct store *s, struct store_readq *q, struct err *e)
{
	struct readq_entry *v;
	size_t n;
	uint64_t upto;
	enum err_code rc;

	pthread_mutex_lock(&q->lock);
	v = q->v;
	n = q->n;
	upto = q->queued;
	q->v = NULL;
	q->n = q->cap = 0;
	pthread_mutex_unlock(&q->lock);
	if (n == 0) {
		free(v);
		return ERR_OK;
	}
	rc = write_reads(s, v, n, e);
	free(v);
	pthread_mutex_lock(&q->lock);
	if (rc != ERR_OK)
		q->failed = upto;
	q->done = upto;
	pthread_mutex_unlock(&q->lock);
	return rc;
}

enum err_code store_audit_reads(struct store *s, int64_t actor_id, const struct store_read *reads,
                                size_t n, struct err *e)
{
	struct readq_entry *v;
	enum err_code rc;

	if (n == 0)
		return ERR_OK;
	if (s->readq)
		return readq_add(s, actor_id, reads, n, e);
	v = xmalloc(n * sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = (struct readq_entry){actor_id, reads[i]};
	rc = write_reads(s, v, n, e);
	free(v);
	return rc;
}

/* Writes n read entries in one transaction, without waiting for the disk. */
static enum err_code write_reads(struct store *s, const struct readq_entry *v, size_t n,
                                 struct err *e)
{
	char id[24];
	enum err_code rc = ERR_OK;

	if (s->tx_depth > 0 || s->sp_depth > 0)
		return err_set(e, ERR_INTERNAL, NULL, "read audits are written outside transactions");
	lock_writes(s);
	s->no_sync = 1;
	if ((rc = store_begin(s, e)) == ERR_OK) {
		for (size_t i = 0; rc == ERR_OK && i < n; i++) {
			snprintf(id, sizeof id, "%lld", (long long)v[i].read.intervention_id);
			rc = store_audit_append(s, v[i].actor_id, "case.read", "intervention", id,
			                        v[i].read.owner_id, NULL, e);
		}
		if (rc == ERR_OK)
			rc = store_commit(s, e);
		else
			store_rollback(s);
	}
	s->no_sync = 0;
	unlock_writes(s);
	return rc;
}

/* ---- Backup, restore, retention --------------------------------------------------- */

/* Copies the whole database src into dst with the online backup API, in one step: one
 * read transaction on the source, hence a consistent snapshot, while writers of other
 * connections go on in the WAL. */
static int copy_database(sqlite3 *dst, sqlite3 *src)
{
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
	int rc;

	if (b == NULL)
		return sqlite3_errcode(dst);
	for (int tries = 0; tries < 200; tries++) {
		rc = sqlite3_backup_step(b, -1);
		if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
			break;
		sqlite3_sleep(10);
	}
	sqlite3_backup_finish(b);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Copies the audit key of database from to that of database to (mode 0600). */
static enum err_code copy_key(const char *from, const char *to, struct err *e)
{
	char src[4096], dst[4096], buf[256];
	ssize_t n;
	int in, outfd;

	store_audit_key_path(from, src, sizeof src);
	store_audit_key_path(to, dst, sizeof dst);
	if ((in = open(src, O_RDONLY | O_CLOEXEC)) < 0)
		return err_set(e, ERR_IO, "key", "cannot read the audit key %s: %s", src, strerror(errno));
	n = read(in, buf, sizeof buf);
	close(in);
	outfd = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (n <= 0 || outfd < 0 || write(outfd, buf, (size_t)n) != n || fsync(outfd) != 0) {
		int err = errno;

		if (outfd >= 0)
			close(outfd);
		return err_set(e, ERR_IO, "key", "cannot write the audit key %s: %s", dst, strerror(err));
	}
	close(outfd);
	return ERR_OK;
}

enum err_code store_backup(struct store *s, const char *out, struct err *e)
{
	sqlite3 *dst = NULL;
	enum err_code rc = ERR_OK;
	int src_rc;

	if (out == NULL || out[0] == '\0')
		return err_set(e, ERR_INVALID, "out", "a file name is required");
	if (access(out, F_OK) == 0)
		return err_set(e, ERR_CONFLICT, "out", "%s exists already", out);
	if (sqlite3_open_v2(out, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		rc = err_set(e, ERR_IO, "out", "cannot create %s", out);
		goto out;
	}
	src_rc = copy_database(dst, s->db);
	if (src_rc != SQLITE_OK) {
		rc = err_set(e, src_rc == SQLITE_FULL ? ERR_STORE : ERR_IO, "out",
		             "the copy to %s failed: %s", out, sqlite3_errstr(src_rc));
		goto out;
	}
	if (sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK)
		rc = err_set(e, ERR_IO, "out", "cannot finish %s", out);
	if (rc == ERR_OK && s->has_audit_key)
		rc = copy_key(sqlite3_db_filename(s->db, "main"), out, e);
out:
	sqlite3_close(dst);
	if (rc != ERR_OK)
		unlink(out);
	return rc;
}

enum err_code store_restore(const char *from, const char *to, int force, struct err *e)
{
	sqlite3 *src = NULL, *dst = NULL;
	sqlite3_stmt *st = NULL;
	enum err_code rc = ERR_OK;
	int version = -1, ok = 0;

	if (!force && access(to, F_OK) == 0)
		return err_set(e, ERR_CONFLICT, "db", "%s exists: give --force to replace it", to);
	if (sqlite3_open_v2(from, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		rc = err_set(e, ERR_IO, "from", "cannot open the backup %s", from);
		goto out;
	}
	if (sqlite3_prepare_v2(src, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		ok = strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0;
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(src, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (!ok) {
		rc = err_set(e, ERR_STORE, "from", "%s is not a sound database (integrity check failed)",
		             from);
		goto out;
	}
	if (version < 1 || version > MIGRATION_COUNT) {
		rc = err_set(e, ERR_STORE, "from", "%s is at schema %d; this program reads 1 to %d", from,
		             version, MIGRATION_COUNT);
		goto out;
	}
	if (sqlite3_open_v2(to, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK ||
	    copy_database(dst, src) != SQLITE_OK) {
		rc = err_set(e, ERR_IO, "db", "cannot write %s: %s", to, dst ? sqlite3_errmsg(dst) : "");
		goto out;
	}
	sqlite3_exec(dst, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
	rc = copy_key(from, to, e);
out:
	sqlite3_close(src);
	sqlite3_close(dst);
	return rc;
}

/* Runs a statement with up to three text parameters and adds its changes to *n. */
static enum err_code purge_step(struct store *s, const char *sql, const char *a, const char *b,
                                const char *c, int64_t *n, struct err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_error(s, e, "purge");
	if (a)
		sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	if (b)
		sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
	if (c)
		sqlite3_bind_text(st, 3, c, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && n)
		*n += sqlite3_column_int64(st, 0);
	else if (rc == SQLITE_DONE && n)
		*n += sqlite3_changes(s->db);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? ERR_OK : db_error(s, e, "purge");
}

/* The date years before today. */
static void years_before(const char *today, int years, char out[DATE_ISO_LEN])
{
	int32_t d;
	int y, m, dd;

	if (date_parse(today, &d) != 0)
		d = date_today();
	date_to_ymd(d, &y, &m, &dd);
	y -= years;
	if (m == 2 && dd == 29)
		dd = 28;
	date_format(date_from_ymd(y, m, dd), out);
}

/* Interventions past their time: older than the case cut, and older than the PV cut when
 * a procès-verbal was drawn up; ?3 says whether those under appeal are counted in. */
#define PURGE_PAST \
	"FROM intervention i WHERE i.date < ?1 AND (i.date < ?2 OR NOT EXISTS " \
	"(SELECT 1 FROM followup f WHERE f.intervention_id = i.id AND f.kind = 'proces_verbal'))"
#define PURGE_APPEAL \
	"EXISTS (SELECT 1 FROM followup f WHERE f.intervention_id = i.id " \
	"AND f.status = 'under_appeal')"

enum err_code store_purge(struct store *s, const struct store_retention *r, int dry_run,
                          struct store_purge_report *out, struct err *e)
{
	char cut[DATE_ISO_LEN], cut_pv[DATE_ISO_LEN], cut_staff[DATE_ISO_LEN];
	enum err_code rc;

	memset(out, 0, sizeof *out);
	years_before(r->today, r->case_years, cut);
	years_before(r->today, r->case_years_pv, cut_pv);
	years_before(r->today, r->staff_years, cut_staff);
	if ((rc = store_begin(s, e)) != ERR_OK)
		return rc;
	rc = purge_step(s, "SELECT count(*) " PURGE_PAST " AND " PURGE_APPEAL, cut, cut_pv, NULL,
	                &out->kept_for_appeal, e);
	if (rc == ERR_OK)
		rc = purge_step(s, "SELECT count(*) FROM followup WHERE intervention_id IN (SELECT i.id "
		                PURGE_PAST " AND NOT " PURGE_APPEAL ")", cut, cut_pv, NULL,
		                &out->followups, e);
	if (rc == ERR_OK)
		rc = purge_step(s, "DELETE FROM intervention WHERE id IN (SELECT i.id " PURGE_PAST
		                " AND NOT " PURGE_APPEAL ")", cut, cut_pv, NULL, &out->interventions, e);
	/* Worksites no record refers to any more, finished before the cut. */
	if (rc == ERR_OK)
		rc = purge_step(s, "DELETE FROM worksite WHERE coalesce(end_date, substr(created_at, 1, 10)) "
		                "< ?1 AND NOT EXISTS (SELECT 1 FROM intervention i "
		                "WHERE i.worksite_id = worksite.id)", cut, NULL, NULL, &out->worksites, e);
	/* Staff who left before the staff cut: their personal data go, the account stays as
	 * an anonymous row so that the records they wrote keep an author. */
	if (rc == ERR_OK)
		rc = purge_step(s, "UPDATE agent SET login = 'supprime-' || id, display_name = 'Agent supprimé', "
		                "password_hash = NULL, sex = NULL, grade = NULL, disabled = 1 "
		                "WHERE login NOT LIKE 'supprime-%' AND EXISTS (SELECT 1 FROM assignment a "
		                "WHERE a.agent_id = agent.id) AND NOT EXISTS (SELECT 1 FROM assignment a "
		                "WHERE a.agent_id = agent.id AND (a.end_date IS NULL OR a.end_date >= ?1))",
		                cut_staff, NULL, NULL, &out->agents, e);
	if (rc == ERR_OK)
		rc = purge_step(s, "DELETE FROM absence WHERE agent_id IN (SELECT id FROM agent "
		                "WHERE login LIKE 'supprime-%')", NULL, NULL, NULL, NULL, e);
	if (rc == ERR_OK)
		rc = purge_step(s, "DELETE FROM session WHERE agent_id IN (SELECT id FROM agent "
		                "WHERE login LIKE 'supprime-%')", NULL, NULL, NULL, NULL, e);
	if (rc == ERR_OK)
		rc = purge_step(s, "UPDATE api_token SET revoked_at = coalesce(revoked_at, ?1) "
		                "WHERE agent_id IN (SELECT id FROM agent WHERE login LIKE 'supprime-%')",
		                r->today, NULL, NULL, NULL, e);
	if (rc != ERR_OK || dry_run) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s, e);
}

/* ---- Summary ---------------------------------------------------------------------- */

enum err_code store_summary(struct store *s, struct store_count *counts, size_t max, size_t *n,
                            struct err *e)
{
	/* Table names are constants of this file, never input. */
	static const char *const tables[] = {
		"region", "department", "commune", "naf", "org_unit", "agent", "assignment",
		"absence", "legal_unit", "establishment", "worksite", "priority_action",
		"intervention", "intervention_theme", "followup", "accident", "disease", "audit",
	};
	char sql[96];

	*n = 0;
	for (size_t i = 0; i < sizeof tables / sizeof tables[0] && *n < max; i++) {
		sqlite3_stmt *st;

		snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", tables[i]);
		if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
			return db_error(s, e, "summary");
		if (sqlite3_step(st) != SQLITE_ROW) {
			sqlite3_finalize(st);
			return db_error(s, e, "summary");
		}
		counts[*n].what = tables[i];
		counts[*n].n = sqlite3_column_int64(st, 0);
		(*n)++;
		sqlite3_finalize(st);
	}
	return ERR_OK;
}
