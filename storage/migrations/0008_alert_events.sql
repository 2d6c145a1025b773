-- 0008: alerts a study nurse can act on (issue 11; semantics in docs/alerts.md).
--
-- One alert per event: the rules (and symptoms) that fired together are the alert's parts, one
-- row each, with the level the no-repeat rule compares with (a fall, a slope, a score, a
-- severity). An alert written before 0008 has no parts: it reads as one part from its own
-- columns. While an alert is open, a newer submission that still meets one of its parts is a
-- follow-up ("still met on <date>: <total>") instead of a new alert.
-- Acknowledging records what was done (action, optional short note). Staff choose the display
-- name colleagues see (/name); nothing of their Telegram profile is stored.

CREATE TABLE alert_parts (
    alert_id     INTEGER NOT NULL REFERENCES alerts (id),
    position     INTEGER NOT NULL CHECK (position >= 0),
    kind         TEXT NOT NULL CHECK (kind IN ('decline', 'symptom')),
    rule         TEXT NOT NULL,       -- previous, baseline, slope, item:N, breathing, ..., a symptom
    urgent       INTEGER NOT NULL CHECK (urgent IN (0, 1)),
    message_key  TEXT NOT NULL,
    message_args TEXT NOT NULL,       -- JSON object of strings and numbers
    level        REAL,                -- what "worse again" compares; NULL: an event, never standing
    PRIMARY KEY (alert_id, position)
);
CREATE INDEX alert_parts_rule ON alert_parts (rule, alert_id);

CREATE TABLE alert_followups (
    id            INTEGER PRIMARY KEY,
    alert_id      INTEGER NOT NULL REFERENCES alerts (id),
    at            TEXT NOT NULL,
    assessment_id INTEGER REFERENCES assessments (id),
    rules         TEXT NOT NULL,      -- JSON list of the parts still met
    total         INTEGER,            -- the submission's total (decline), or NULL
    severity      INTEGER             -- the symptom's severity (symptom), or NULL
);
CREATE INDEX alert_followups_of_alert ON alert_followups (alert_id);

ALTER TABLE alerts ADD COLUMN ack_action TEXT
    CHECK (ack_action IN ('called', 'visit', 'none', 'other'));
ALTER TABLE alerts ADD COLUMN ack_note TEXT;

-- Every request to edit a delivered copy (acknowledged, a note added, still met) bumps its
-- edit_version; the worker marks the edit done only for the version it rendered, so a request
-- made while an edit is under way is not lost.
ALTER TABLE alert_deliveries ADD COLUMN edit_version INTEGER NOT NULL DEFAULT 0;

CREATE TABLE staff_names (
    link_id      INTEGER PRIMARY KEY REFERENCES links (id),
    display_name TEXT NOT NULL CHECK (length(display_name) BETWEEN 1 AND 40),
    set_at       TEXT NOT NULL
);
