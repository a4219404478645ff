-- Performance clinics of measures (ClinicCalled, ClinicHeld, ClinicCancelled), each row from
-- the position that recorded it, so where a clinic stood at a position is its rows up to it.
-- kind: 'called' (chair), 'held' (mandates: JSON list of action, owner, due_on) or
-- 'cancelled'; reason: the commit's (why called, why cancelled).
CREATE TABLE clinics (
    measure_id  TEXT NOT NULL,
    called_for  TEXT NOT NULL,
    position    INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    chair       TEXT,
    mandates    TEXT,
    reason      TEXT,
    recorded_at TEXT NOT NULL,
    actor_name  TEXT NOT NULL,
    PRIMARY KEY (measure_id, called_for, position)
);
