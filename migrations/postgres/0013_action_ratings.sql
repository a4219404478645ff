-- RAG ratings of improvement actions (ActionRated): rows of kind 'rated' carry the rating
-- (red, amber, green or complete) and its arrow (a direction of travel), if one was printed.
ALTER TABLE improvement_actions ADD COLUMN rag TEXT;
ALTER TABLE improvement_actions ADD COLUMN arrow TEXT;
