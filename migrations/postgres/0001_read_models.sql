-- Read models for production (PostgreSQL), the same tables as the embedded backend's and
-- rebuilt from the NATS JetStream log at any time. Facts are system-versioned: a row is what
-- was known from `recorded_from_position` until `recorded_to_position` (NULL while current):
--   recorded_from_position <= P AND (recorded_to_position IS NULL OR recorded_to_position > P)

-- How far each projector has read; written in the same transaction as the rows it covers.
CREATE TABLE checkpoints (
    projector TEXT PRIMARY KEY,
    position  BIGINT NOT NULL
);

CREATE TABLE plans (
    plan_id                TEXT PRIMARY KEY,
    name                   TEXT NOT NULL,
    financial_year         TEXT NOT NULL,
    status_scheme          TEXT NOT NULL,
    approved_on            TEXT,
    approved_by            TEXT,
    recorded_from_position BIGINT NOT NULL
);

CREATE TABLE priorities (
    plan_id                TEXT NOT NULL,
    number                 BIGINT NOT NULL,
    title                  TEXT NOT NULL,
    recorded_from_position BIGINT NOT NULL,
    PRIMARY KEY (plan_id, number)
);

CREATE TABLE outcomes (
    plan_id                TEXT NOT NULL,
    priority               BIGINT NOT NULL,
    letter                 TEXT NOT NULL,
    title                  TEXT NOT NULL,
    recorded_from_position BIGINT NOT NULL,
    PRIMARY KEY (plan_id, priority, letter)
);

CREATE TABLE rule_sets_history (
    plan_id                   TEXT NOT NULL,
    version                   BIGINT NOT NULL,
    satisfactory_band_percent TEXT NOT NULL,
    stable_band_percent       TEXT NOT NULL,
    recorded_from_position    BIGINT NOT NULL,
    recorded_to_position      BIGINT
);

CREATE TABLE measures (
    measure_id             TEXT PRIMARY KEY,
    plan_id                TEXT NOT NULL,
    measure_ref            TEXT NOT NULL,
    definition             TEXT NOT NULL, -- the MeasureDefinition as JSON
    recorded_from_position BIGINT NOT NULL
);
CREATE INDEX measures_by_plan ON measures (plan_id);

-- Effective-dated (valid time) and system-versioned (transaction time) at once.
CREATE TABLE accountability_history (
    measure_id             TEXT NOT NULL,
    person                 TEXT NOT NULL,
    effective_from         TEXT, -- NULL: from the start
    recorded_from_position BIGINT NOT NULL
);

CREATE TABLE values_history (
    measure_id             TEXT NOT NULL,
    period                 TEXT NOT NULL,
    value                  TEXT NOT NULL, -- RecordedValue as JSON
    raw                    TEXT NOT NULL,
    amount                 TEXT,
    quality                TEXT NOT NULL,
    source_system          TEXT,
    revision               BIGINT NOT NULL, -- 0 for the first value, then 1, 2, …
    classification         TEXT,
    recorded_from_position BIGINT NOT NULL,
    recorded_to_position   BIGINT
);
CREATE INDEX values_history_by_measure ON values_history (measure_id, period);

CREATE TABLE targets_history (
    measure_id             TEXT NOT NULL,
    period                 TEXT NOT NULL,
    target                 TEXT NOT NULL, -- TargetSpec as JSON
    raw                    TEXT NOT NULL,
    revision               BIGINT NOT NULL,
    recorded_from_position BIGINT NOT NULL,
    recorded_to_position   BIGINT
);
CREATE INDEX targets_history_by_measure ON targets_history (measure_id, period);

CREATE TABLE assessments_history (
    measure_id             TEXT NOT NULL,
    period                 TEXT NOT NULL,
    kind                   TEXT NOT NULL, -- status | direction | rag
    assessed               TEXT NOT NULL,
    computed               TEXT,
    rule_set_version       BIGINT,
    recorded_from_position BIGINT NOT NULL,
    recorded_to_position   BIGINT
);
CREATE INDEX assessments_history_by_measure ON assessments_history (measure_id, period, kind);

CREATE TABLE notes_history (
    measure_id             TEXT NOT NULL,
    period                 TEXT NOT NULL,
    text                   TEXT NOT NULL,
    recorded_from_position BIGINT NOT NULL,
    recorded_to_position   BIGINT
);
CREATE INDEX notes_history_by_measure ON notes_history (measure_id, period);

CREATE TABLE reports_published (
    report_id        TEXT PRIMARY KEY,
    plan_id          TEXT NOT NULL,
    kind             TEXT NOT NULL,
    period           TEXT NOT NULL,
    cut_off          BIGINT NOT NULL,
    meeting          TEXT NOT NULL,
    published_on     TEXT NOT NULL,
    rule_set_version BIGINT NOT NULL,
    sha256           TEXT NOT NULL,
    position         BIGINT NOT NULL,
    recorded_at      TEXT NOT NULL,
    actor_name       TEXT NOT NULL
);

-- The auditor's history view: one row per change, who/role/when/what/before → after/why.
CREATE TABLE history (
    position       BIGINT NOT NULL,
    seq            BIGINT NOT NULL,
    stream         TEXT NOT NULL,
    plan_id        TEXT,
    measure_id     TEXT,
    measure_ref    TEXT,
    recorded_at    TEXT NOT NULL,
    actor_id       TEXT NOT NULL,
    actor_name     TEXT NOT NULL,
    actor_role     TEXT NOT NULL,
    on_behalf_of   TEXT,
    event_type     TEXT NOT NULL,
    period         TEXT,
    what           TEXT NOT NULL,
    before         TEXT,
    after          TEXT,
    reason         TEXT,
    classification TEXT,
    PRIMARY KEY (position, seq)
);
CREATE INDEX history_by_measure ON history (measure_ref, position);
CREATE INDEX history_by_actor ON history (actor_id, position);
