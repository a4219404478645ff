-- Maker–checker and definition changes (issue 6). A measure's definition is amended over
-- time, so it becomes system-versioned like every other fact: as-at queries read the
-- amended definition current at P, and the one in `measures` until the first amendment.
CREATE TABLE measure_definitions_history (
    measure_id             TEXT NOT NULL,
    definition             TEXT NOT NULL, -- the MeasureDefinition as JSON, after the amendment
    recorded_from_position BIGINT NOT NULL,
    recorded_to_position   BIGINT
);
CREATE INDEX measure_definitions_history_by_measure ON measure_definitions_history (measure_id);

-- Sign-offs of one revision of a value. A sign-off never ends: a later revision has another
-- number, so "signed off as at P" is a sign-off of the revision current at P recorded by P.
CREATE TABLE value_signoffs (
    measure_id             TEXT NOT NULL,
    period                 TEXT NOT NULL,
    revision               BIGINT NOT NULL,
    actor_id               TEXT NOT NULL,
    actor_name             TEXT NOT NULL,
    recorded_from_position BIGINT NOT NULL
);
CREATE INDEX value_signoffs_by_measure ON value_signoffs (measure_id, period, revision);
