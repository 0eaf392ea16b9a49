-- 0001: the schema of Constat. Dates are ISO 8601 text (YYYY-MM-DD), timestamps UTC
-- (YYYY-MM-DDTHH:MM:SSZ). Codes of fixed enumerations are checked here as well as in C.

-- Reference data (loaded from the embedded data/*.tsv at init).
CREATE TABLE region (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL
);
CREATE TABLE department (
  code TEXT PRIMARY KEY,
  region TEXT NOT NULL REFERENCES region(code),
  name TEXT NOT NULL
);
CREATE TABLE commune (
  code TEXT PRIMARY KEY,
  department TEXT NOT NULL REFERENCES department(code),
  name TEXT NOT NULL,
  population INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE postcode (
  postcode TEXT NOT NULL,
  commune TEXT NOT NULL REFERENCES commune(code),
  delivery_name TEXT NOT NULL,
  PRIMARY KEY (postcode, commune)
) WITHOUT ROWID;
CREATE INDEX postcode_commune ON postcode(commune);
CREATE TABLE naf (
  code TEXT PRIMARY KEY,
  level TEXT NOT NULL CHECK (level IN ('section', 'division', 'group', 'class', 'subclass')),
  section TEXT,
  label TEXT NOT NULL
);

-- Key-value settings (generation parameters, server secrets are never stored in clear).
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- Organisation: national > region > department > control unit > section.
CREATE TABLE org_unit (
  id INTEGER PRIMARY KEY,
  parent_id INTEGER REFERENCES org_unit(id),
  level TEXT NOT NULL CHECK (level IN ('national', 'region', 'department', 'unit', 'section')),
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  region_code TEXT REFERENCES region(code),
  department_code TEXT REFERENCES department(code),
  valid_from TEXT NOT NULL,
  valid_to TEXT,
  CHECK ((level = 'national') = (parent_id IS NULL)),
  CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX org_unit_parent ON org_unit(parent_id);

CREATE TABLE agent (
  id INTEGER PRIMARY KEY,
  login TEXT NOT NULL UNIQUE COLLATE NOCASE,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('agent', 'manager', 'analyst', 'admin')),
  scope_unit_id INTEGER REFERENCES org_unit(id),
  password_hash TEXT,
  sex TEXT CHECK (sex IN ('F', 'M')),
  grade TEXT CHECK (grade IN ('inspecteur', 'controleur')),
  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE assignment (
  id INTEGER PRIMARY KEY,
  agent_id INTEGER NOT NULL REFERENCES agent(id),
  section_id INTEGER NOT NULL REFERENCES org_unit(id),
  start_date TEXT NOT NULL,
  end_date TEXT,
  fte REAL NOT NULL DEFAULT 1.0 CHECK (fte > 0 AND fte <= 1),
  CHECK (end_date IS NULL OR end_date >= start_date)
);
CREATE INDEX assignment_agent ON assignment(agent_id, start_date);
CREATE INDEX assignment_section ON assignment(section_id, start_date);

CREATE TABLE absence (
  id INTEGER PRIMARY KEY,
  agent_id INTEGER NOT NULL REFERENCES agent(id),
  start_date TEXT NOT NULL,
  end_date TEXT NOT NULL,
  reason TEXT NOT NULL CHECK (reason IN ('conge', 'maladie', 'formation')),
  CHECK (end_date >= start_date)
);
CREATE INDEX absence_agent ON absence(agent_id, start_date);

-- Registry, shaped like INSEE's SIRENE stock files. siret and siren are stored as
-- integers (the siret is the row id) and shown with their leading zeros.
CREATE TABLE legal_unit (
  siren INTEGER PRIMARY KEY,
  name TEXT,
  acronym TEXT,
  last_name TEXT,
  first_name TEXT,
  legal_category TEXT,
  company_category TEXT,
  state TEXT NOT NULL DEFAULT 'A' CHECK (state IN ('A', 'C')),
  head_nic TEXT
);

CREATE TABLE establishment (
  siret INTEGER PRIMARY KEY,
  siren INTEGER NOT NULL,
  nic TEXT NOT NULL,
  diffusion TEXT NOT NULL DEFAULT 'O' CHECK (diffusion IN ('O', 'P')),
  created_on TEXT,
  headcount_band TEXT,
  head_office INTEGER NOT NULL DEFAULT 0 CHECK (head_office IN (0, 1)),
  street_number TEXT,
  street_repeat TEXT,
  street_type TEXT,
  street_name TEXT,
  address_extra TEXT,
  postcode TEXT,
  commune_name TEXT,
  commune_code TEXT,
  state TEXT NOT NULL DEFAULT 'A' CHECK (state IN ('A', 'F')),
  enseigne1 TEXT,
  enseigne2 TEXT,
  enseigne3 TEXT,
  usual_name TEXT,
  naf TEXT,
  naf_nomenclature TEXT
);
CREATE INDEX establishment_siren ON establishment(siren);

CREATE TABLE worksite (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  address TEXT NOT NULL,
  postcode TEXT,
  commune_code TEXT NOT NULL REFERENCES commune(code),
  start_date TEXT,
  end_date TEXT,
  created_by INTEGER REFERENCES agent(id),
  created_at TEXT NOT NULL,
  CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date)
);
CREATE TABLE worksite_establishment (
  worksite_id INTEGER NOT NULL REFERENCES worksite(id) ON DELETE CASCADE,
  siret INTEGER NOT NULL REFERENCES establishment(siret),
  PRIMARY KEY (worksite_id, siret)
) WITHOUT ROWID;

-- Nomenclatures: data, seeded by 0002 with a French default, editable later.
CREATE TABLE theme (
  code TEXT PRIMARY KEY,
  parent TEXT REFERENCES theme(code),
  label TEXT NOT NULL,
  position INTEGER NOT NULL DEFAULT 0,
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);
CREATE TABLE intervention_kind (
  code TEXT PRIMARY KEY,
  label TEXT NOT NULL,
  on_site_default INTEGER NOT NULL CHECK (on_site_default IN (0, 1)),
  position INTEGER NOT NULL DEFAULT 0,
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);
CREATE TABLE followup_kind (
  code TEXT PRIMARY KEY,
  label TEXT NOT NULL,
  sanction INTEGER NOT NULL DEFAULT 0 CHECK (sanction IN (0, 1)),
  position INTEGER NOT NULL DEFAULT 0,
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);

-- Priority actions (campaigns) and their checklists.
CREATE TABLE priority_action (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL,
  scope TEXT NOT NULL CHECK (scope IN ('national', 'regional')),
  region_code TEXT REFERENCES region(code),
  start_date TEXT NOT NULL,
  end_date TEXT NOT NULL,
  CHECK (end_date >= start_date),
  CHECK ((scope = 'regional') = (region_code IS NOT NULL))
);
CREATE TABLE priority_action_theme (
  action_id INTEGER NOT NULL REFERENCES priority_action(id) ON DELETE CASCADE,
  theme TEXT NOT NULL REFERENCES theme(code),
  PRIMARY KEY (action_id, theme)
) WITHOUT ROWID;
CREATE TABLE control_point (
  id INTEGER PRIMARY KEY,
  action_id INTEGER NOT NULL REFERENCES priority_action(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  label TEXT NOT NULL,
  UNIQUE (action_id, position)
);

-- Interventions: the case records.
CREATE TABLE intervention (
  id INTEGER PRIMARY KEY,
  date TEXT NOT NULL,
  kind TEXT NOT NULL REFERENCES intervention_kind(code),
  on_site INTEGER NOT NULL CHECK (on_site IN (0, 1)),
  siret INTEGER REFERENCES establishment(siret),
  worksite_id INTEGER REFERENCES worksite(id),
  author_id INTEGER NOT NULL REFERENCES agent(id),
  section_id INTEGER REFERENCES org_unit(id),
  priority_action_id INTEGER REFERENCES priority_action(id),
  note TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL CHECK (status IN ('draft', 'final')),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  CHECK ((siret IS NULL) <> (worksite_id IS NULL))
);
CREATE INDEX intervention_siret ON intervention(siret, date);
CREATE INDEX intervention_worksite ON intervention(worksite_id, date);
CREATE INDEX intervention_author ON intervention(author_id, date);
CREATE INDEX intervention_date ON intervention(date);

CREATE TABLE intervention_agent (
  intervention_id INTEGER NOT NULL REFERENCES intervention(id) ON DELETE CASCADE,
  agent_id INTEGER NOT NULL REFERENCES agent(id),
  PRIMARY KEY (intervention_id, agent_id)
) WITHOUT ROWID;
CREATE INDEX intervention_agent_agent ON intervention_agent(agent_id);
CREATE TABLE intervention_theme (
  intervention_id INTEGER NOT NULL REFERENCES intervention(id) ON DELETE CASCADE,
  theme TEXT NOT NULL REFERENCES theme(code),
  PRIMARY KEY (intervention_id, theme)
) WITHOUT ROWID;
CREATE TABLE intervention_checkpoint (
  intervention_id INTEGER NOT NULL REFERENCES intervention(id) ON DELETE CASCADE,
  control_point_id INTEGER NOT NULL REFERENCES control_point(id),
  state TEXT NOT NULL CHECK (state IN ('compliant', 'non_compliant', 'not_checked')),
  PRIMARY KEY (intervention_id, control_point_id)
) WITHOUT ROWID;

CREATE TABLE followup (
  id INTEGER PRIMARY KEY,
  intervention_id INTEGER NOT NULL REFERENCES intervention(id) ON DELETE CASCADE,
  kind TEXT NOT NULL REFERENCES followup_kind(code),
  date TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('draft', 'issued', 'closed', 'under_appeal')),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX followup_intervention ON followup(intervention_id);
CREATE TABLE followup_provision (
  followup_id INTEGER NOT NULL REFERENCES followup(id) ON DELETE CASCADE,
  provision TEXT NOT NULL,
  PRIMARY KEY (followup_id, provision)
) WITHOUT ROWID;

-- Work accidents and occupational diseases, attached to an inquiry.
CREATE TABLE accident (
  id INTEGER PRIMARY KEY,
  intervention_id INTEGER NOT NULL REFERENCES intervention(id) ON DELETE CASCADE,
  date TEXT NOT NULL,
  severity TEXT NOT NULL CHECK (severity IN ('fatal', 'serious', 'other')),
  victims INTEGER NOT NULL CHECK (victims >= 1)
);
CREATE INDEX accident_intervention ON accident(intervention_id);
CREATE TABLE disease (
  id INTEGER PRIMARY KEY,
  intervention_id INTEGER NOT NULL REFERENCES intervention(id) ON DELETE CASCADE,
  date TEXT NOT NULL,
  table_number TEXT NOT NULL,
  victims INTEGER NOT NULL CHECK (victims >= 1)
);
CREATE INDEX disease_intervention ON disease(intervention_id);

-- The audit trail: append-only (later issues chain each entry to the previous one).
CREATE TABLE audit (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor_id INTEGER,
  action TEXT NOT NULL,
  object_type TEXT,
  object_id TEXT,
  owner_id INTEGER,
  detail TEXT,
  hash BLOB
);
CREATE INDEX audit_owner ON audit(owner_id, at);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
  SELECT RAISE(ABORT, 'the audit table is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
  SELECT RAISE(ABORT, 'the audit table is append-only');
END;
