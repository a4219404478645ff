-- Meetings, their agenda items, and the decisions and call-ins on them (MeetingRecorded,
-- AgendaItemAdded, DecisionRecorded, DecisionCalledIn), each row from the position that
-- recorded it, so a record as at a position is its rows up to it. Items considered in exempt
-- session keep their Schedule 12A paragraph here; public renderings leave them out
-- (`scoreledger_domain::governance`).
CREATE TABLE meetings (
    meeting_id TEXT PRIMARY KEY,
    body       TEXT NOT NULL,
    held_on    TEXT NOT NULL,
    position   BIGINT NOT NULL
);
CREATE TABLE agenda_items (
    meeting_id       TEXT NOT NULL,
    item             TEXT NOT NULL,
    title            TEXT NOT NULL,
    report_id        TEXT,
    exempt_paragraph BIGINT,
    position         BIGINT NOT NULL,
    PRIMARY KEY (meeting_id, item)
);
-- kind: 'decision' (text: the decision) or 'call-in' (text: who called it in).
CREATE TABLE meeting_outcomes (
    meeting_id  TEXT NOT NULL,
    item        TEXT NOT NULL,
    position    BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    text        TEXT NOT NULL,
    reason      TEXT,
    recorded_at TEXT NOT NULL,
    actor_name  TEXT NOT NULL,
    PRIMARY KEY (meeting_id, item, position)
);
