-- The event log of the embedded backend: one row per commit, append-only.
-- `position` is the global log position; (stream, stream_version) is unique so two writers
-- can never both claim the same version of a stream, whatever the application does.
CREATE TABLE commits (
    position       INTEGER PRIMARY KEY AUTOINCREMENT,
    commit_id      TEXT    NOT NULL UNIQUE,
    stream         TEXT    NOT NULL,
    stream_version INTEGER NOT NULL,
    recorded_at    TEXT    NOT NULL,
    envelope       TEXT    NOT NULL,
    hash           TEXT    NOT NULL,
    UNIQUE (stream, stream_version)
);

-- The log is evidence: nothing rewrites or removes a commit, not even a careless operator.
CREATE TRIGGER commits_are_never_updated BEFORE UPDATE ON commits
BEGIN
    SELECT RAISE(ABORT, 'commits are immutable; append a compensating event instead');
END;

CREATE TRIGGER commits_are_never_deleted BEFORE DELETE ON commits
BEGIN
    SELECT RAISE(ABORT, 'commits are never deleted');
END;
