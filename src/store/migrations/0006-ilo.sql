-- 0006: the ILO Convention 81 annual report. Item (a) (laws and regulations) is text an
-- analyst or administrator writes for each year; every change also goes to the audit
-- chain. The covering index lets the report count active establishments by commune and
-- headcount band without sorting the registry (11 M rows: 6.6 s without it, 0.8 s with).
CREATE TABLE ilo_text (
  year INTEGER PRIMARY KEY CHECK (year BETWEEN 1900 AND 9999),
  text TEXT NOT NULL,
  author_id INTEGER NOT NULL REFERENCES agent(id),
  updated_at TEXT NOT NULL          -- UTC stamp
);
CREATE INDEX IF NOT EXISTS establishment_ilo ON establishment(state, commune_code, headcount_band);
