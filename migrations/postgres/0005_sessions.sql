-- Web sessions of the pages: signing in with a token starts one, and the browser's cookie
-- carries only the session's random secret, never the token's. Only the SHA-256 of that
-- secret is kept, so this table cannot be used to sign in. Rows are written by the server,
-- not projected from the log (a session is not a fact of the scorecard, and its idle deadline
-- moves as the reader reads), so a rebuild of the read models leaves them alone.
CREATE TABLE sessions (
    session_id      TEXT PRIMARY KEY,
    secret_sha256   TEXT NOT NULL UNIQUE,
    token_id        TEXT NOT NULL,
    started_at      TEXT NOT NULL,
    last_seen_at    TEXT NOT NULL,
    idle_expires_at TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    ended_at        TEXT,
    ended_by        TEXT
);
CREATE INDEX sessions_by_token ON sessions (token_id);
