-- Digests of each part of a published report (summary and rows), so a rebuild that does not
-- reproduce the published hash can name the first part that differs.
ALTER TABLE reports_published ADD COLUMN parts TEXT NOT NULL DEFAULT '[]';
