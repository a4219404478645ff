-- An improvement action's baseline and targets as its plan prints them ("10% reduction in
-- overall contact and referrals which result in NFA by March 2010"): a row of kind
-- `baseline` or `targets` carries the text set by that commit.
ALTER TABLE improvement_actions ADD COLUMN text TEXT;
