-- 0003: browser sessions and personal API tokens. Only hashes of the secrets are stored
-- (BLAKE2b-256 of the random token): a copy of the database lets no one log in.
CREATE TABLE session (
  id INTEGER PRIMARY KEY,
  token_hash BLOB NOT NULL UNIQUE,
  agent_id INTEGER NOT NULL REFERENCES agent(id) ON DELETE CASCADE,
  csrf TEXT NOT NULL,
  created_at INTEGER NOT NULL,     -- Unix seconds
  last_seen_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL      -- absolute time-out
);
CREATE INDEX session_agent ON session(agent_id);

CREATE TABLE api_token (
  id INTEGER PRIMARY KEY,
  token_hash BLOB NOT NULL UNIQUE,
  agent_id INTEGER NOT NULL REFERENCES agent(id) ON DELETE CASCADE,
  label TEXT NOT NULL,
  prefix TEXT NOT NULL,            -- the first characters, to recognise a token in a list
  created_at TEXT NOT NULL,
  last_used_at TEXT,
  revoked_at TEXT
);
CREATE INDEX api_token_agent ON api_token(agent_id);
