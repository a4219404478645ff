-- Commits that cannot be read and that an admin set aside (CommitSetAside): the projector
-- passed over each at `position`, recording it here, so every report built across it says so.
-- `set_aside_at` is the position of the setting aside itself; who, when and why come from it.
CREATE TABLE set_asides (
    position     BIGINT PRIMARY KEY,
    set_aside_at BIGINT NOT NULL,
    recorded_at  TEXT NOT NULL,
    actor_id     TEXT NOT NULL,
    actor_name   TEXT NOT NULL,
    reason       TEXT NOT NULL,
    problem      TEXT NOT NULL
);
