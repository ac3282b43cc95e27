/** SQLite schema of the journal. Bump JOURNAL_VERSION and add a migration step when it changes. */
export const JOURNAL_VERSION = 1;

export const JOURNAL_SCHEMA = `
CREATE TABLE IF NOT EXISTS messages (
  id              INTEGER PRIMARY KEY,
  mailbox         TEXT NOT NULL,
  folder          TEXT NOT NULL,
  uid_validity    TEXT NOT NULL,
  uid             INTEGER NOT NULL,
  message_id      TEXT,
  content_hash    TEXT NOT NULL,
  fingerprint     TEXT,
  original_message_id TEXT,
  lead_email      TEXT,
  lead_company    TEXT,
  step            TEXT NOT NULL,
  outcome         TEXT,
  reason          TEXT,
  analysis_json   TEXT,
  request_json    TEXT,
  needs_review    INTEGER NOT NULL DEFAULT 0,
  crm_json        TEXT,
  duplicate_of    INTEGER REFERENCES messages(id),
  attempts        INTEGER NOT NULL DEFAULT 0,
  first_seen_at   TEXT NOT NULL,
  updated_at      TEXT NOT NULL,
  sent_at         TEXT,
  UNIQUE (mailbox, folder, uid_validity, uid)
);
CREATE INDEX IF NOT EXISTS messages_hash ON messages (mailbox, content_hash);
CREATE INDEX IF NOT EXISTS messages_fingerprint ON messages (fingerprint);
CREATE INDEX IF NOT EXISTS messages_original ON messages (original_message_id);
CREATE INDEX IF NOT EXISTS messages_step ON messages (mailbox, step);

CREATE TABLE IF NOT EXISTS replies (
  id          INTEGER PRIMARY KEY,
  message     INTEGER REFERENCES messages(id),
  role        TEXT NOT NULL,
  recipient   TEXT NOT NULL,
  smtp_id     TEXT,
  sent_at     TEXT NOT NULL,
  UNIQUE (message, role)
);
CREATE INDEX IF NOT EXISTS replies_recipient ON replies (recipient, sent_at);

CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;
