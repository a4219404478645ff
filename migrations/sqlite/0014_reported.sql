-- When and where a change was reported, beside when it was recorded (a commit's `reported`):
-- history loaded from past packs says it was reported to the Improvement Panel on 13 July
-- 2010, years before the log recorded it. NULL when the commit says nothing of it.
ALTER TABLE history ADD COLUMN reported_on TEXT;
ALTER TABLE history ADD COLUMN reported_in TEXT;

-- Improvement actions' rows too, so that an update of 2010 is tallied as reported on its day;
-- and `seq`, so that one commit may register an action and rate it (two rows at one position).
-- SQLite cannot change a primary key, so the table is rebuilt, its columns in PostgreSQL's
-- order.
CREATE TABLE improvement_actions_keyed (
    action_id    TEXT NOT NULL,
    position     INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    plan         TEXT,
    objective    TEXT,
    key_action   TEXT,
    lead         TEXT,
    target_date  TEXT,
    moved_from   TEXT,
    measures     TEXT,
    completed_on TEXT,
    reason       TEXT,
    recorded_at  TEXT NOT NULL,
    actor_name   TEXT NOT NULL,
    rag          TEXT,
    arrow        TEXT,
    reported_on  TEXT,
    seq          INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (action_id, position, seq)
);
INSERT INTO improvement_actions_keyed (action_id, position, kind, plan, objective, key_action,
    lead, target_date, moved_from, measures, completed_on, reason, recorded_at, actor_name, rag,
    arrow)
SELECT action_id, position, kind, plan, objective, key_action, lead, target_date, moved_from,
    measures, completed_on, reason, recorded_at, actor_name, rag, arrow
FROM improvement_actions;
DROP TABLE improvement_actions;
ALTER TABLE improvement_actions_keyed RENAME TO improvement_actions;
