-- API bearer tokens: who each stands for, in which role, and whether it still works. Only the
-- SHA-256 of the secret is kept; the secret is shown once, when the token is issued.
CREATE TABLE tokens (
    token_id         TEXT PRIMARY KEY,
    user_id          TEXT NOT NULL,
    name             TEXT NOT NULL,
    role             TEXT NOT NULL,
    directorate      TEXT,
    secret_sha256    TEXT NOT NULL UNIQUE,
    expires_on       TEXT,
    issued_at        TEXT NOT NULL,
    issued_by        TEXT NOT NULL,
    issued_position  INTEGER NOT NULL,
    revoked_position INTEGER
);
