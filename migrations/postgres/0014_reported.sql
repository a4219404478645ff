-- When and where a change was reported, beside when it was recorded (a commit's `reported`):
-- history loaded from past packs says it was reported to the Improvement Panel on 13 July
-- 2010, years before the log recorded it. NULL when the commit says nothing of it.
ALTER TABLE history ADD COLUMN reported_on TEXT;
ALTER TABLE history ADD COLUMN reported_in TEXT;

-- Improvement actions' rows too, so that an update of 2010 is tallied as reported on its day;
-- and `seq`, so that one commit may register an action and rate it (two rows at one position).
ALTER TABLE improvement_actions ADD COLUMN reported_on TEXT;
ALTER TABLE improvement_actions ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE improvement_actions DROP CONSTRAINT improvement_actions_pkey;
ALTER TABLE improvement_actions ADD PRIMARY KEY (action_id, position, seq);
