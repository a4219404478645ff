-- What the report narrative (Appendix A's performance story, exceptions and headlines) says of
-- a measure for a period (NarrativeEdited), system-versioned like the data notes so the
-- narrative a publication went out with is the version current at its cut-off.
CREATE TABLE narratives_history (
    measure_id             TEXT NOT NULL,
    period                 TEXT NOT NULL,
    text                   TEXT NOT NULL,
    recorded_from_position BIGINT NOT NULL,
    recorded_to_position   BIGINT
);
CREATE INDEX narratives_history_by_period ON narratives_history (period, measure_id);
