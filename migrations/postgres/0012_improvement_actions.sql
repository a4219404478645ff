-- Key actions of improvement plans (ActionRegistered, ActionTargetDateMoved, ActionCompleted),
-- each row from the position that recorded it, so where an action stood at a position is its
-- rows up to it. kind: 'registered' (plan, objective, key_action, lead, target_date, measures:
-- a JSON list of references), 'moved' (moved_from → target_date) or 'completed'
-- (completed_on); reason: the commit's, if any.
CREATE TABLE improvement_actions (
    action_id    TEXT NOT NULL,
    position     BIGINT NOT NULL,
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
    PRIMARY KEY (action_id, position)
);
