-- 0004: the audit trail becomes tamper-evident. Each entry carries a keyed BLAKE2b-256
-- hash chaining it to the previous one (computed by the program with a key kept outside
-- the database, see docs/SECURITY.md); ids come from AUTOINCREMENT, so that removing the
-- last entries leaves a trace in sqlite_sequence. Entries written before this migration
-- have no hash: `constat audit-verify` reports them as unsealed.
DROP TRIGGER audit_no_update;
DROP TRIGGER audit_no_delete;
DROP INDEX audit_owner;
ALTER TABLE audit RENAME TO audit_unsealed;
CREATE TABLE audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  actor_id INTEGER,
  action TEXT NOT NULL,
  object_type TEXT,
  object_id TEXT,
  owner_id INTEGER,
  detail TEXT,
  hash BLOB
);
INSERT INTO audit (id, at, actor_id, action, object_type, object_id, owner_id, detail, hash)
  SELECT id, at, actor_id, action, object_type, object_id, owner_id, detail, NULL
  FROM audit_unsealed ORDER BY id;
DROP TABLE audit_unsealed;
CREATE INDEX audit_owner ON audit(owner_id, action, at);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
  SELECT RAISE(ABORT, 'the audit table is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
  SELECT RAISE(ABORT, 'the audit table is append-only');
END;
