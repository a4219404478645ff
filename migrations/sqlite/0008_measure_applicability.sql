-- Withdrawals and reinstatements of measures (MeasureWithdrawn, MeasureReinstated), in log
-- order: a scorecard as at `position` leaves out a measure whose latest change from a first
-- period on or before its period is a withdrawal (`scoreledger_domain::lifecycle`).
CREATE TABLE measure_applicability (
    measure_id   TEXT NOT NULL,
    position     INTEGER NOT NULL,
    first_period TEXT NOT NULL,
    applies      INTEGER NOT NULL,
    PRIMARY KEY (measure_id, position)
);
