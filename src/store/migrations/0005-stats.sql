-- 0005: statistical releases. A release is one month's tables (with the year to date and
-- the quarter), frozen once audited; a late entry gives a new version. Every cell is
-- kept with its true value: the API serves the value only when status is 'published'.
CREATE TABLE stats_release (
  id INTEGER PRIMARY KEY,
  month TEXT NOT NULL,             -- YYYY-MM
  version INTEGER NOT NULL CHECK (version >= 1),
  created_at TEXT NOT NULL,        -- UTC stamp
  data_stamp TEXT NOT NULL,        -- the latest updated_at of the data it was computed from
  status TEXT NOT NULL CHECK (status IN ('frozen')),
  n_cells INTEGER NOT NULL,
  n_secret INTEGER NOT NULL,
  UNIQUE (month, version)
);
CREATE TABLE stats_release_cell (
  release_id INTEGER NOT NULL REFERENCES stats_release(id),
  period TEXT NOT NULL,            -- YYYY-MM, YYYY-CMM (year to date), YYYY-QN; deltas: D...
  tbl TEXT NOT NULL,               -- catalogue table
  geo TEXT NOT NULL,               -- organisation unit code (national, region, department, unit)
  cat TEXT NOT NULL,               -- category code, '_' for a table without breakdown
  value INTEGER NOT NULL,          -- the true value (never served when not published)
  status TEXT NOT NULL CHECK (status IN ('published', 'secret', 'delta')),
  sensitive INTEGER NOT NULL CHECK (sensitive IN (0, 1)),
  reason TEXT NOT NULL,            -- threshold, dominance, zero, secondary, delta or ''
  PRIMARY KEY (release_id, period, tbl, geo, cat)
) WITHOUT ROWID;
CREATE TRIGGER stats_release_cell_frozen BEFORE UPDATE ON stats_release_cell
BEGIN
  SELECT RAISE(ABORT, 'released cells are frozen');
END;
