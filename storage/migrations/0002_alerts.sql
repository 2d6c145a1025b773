-- 0002: alerts raised for study staff (decline rules, adverse symptoms).
-- An alert is written in the same transaction as the submission or report that caused it.

CREATE TABLE alerts (
    id              INTEGER PRIMARY KEY,
    participant_id  INTEGER NOT NULL REFERENCES participants (id),
    kind            TEXT NOT NULL CHECK (kind IN ('decline', 'symptom')),
    rule            TEXT NOT NULL,
    urgent          INTEGER NOT NULL CHECK (urgent IN (0, 1)),
    message_key     TEXT NOT NULL,
    message_args    TEXT NOT NULL,       -- JSON object of strings and numbers
    assessment_id   INTEGER REFERENCES assessments (id),
    created_at      TEXT NOT NULL,
    acknowledged_at TEXT,
    acknowledged_by INTEGER REFERENCES links (id),
    escalations     INTEGER NOT NULL DEFAULT 0,
    next_escalation_at TEXT
);
CREATE INDEX alerts_open ON alerts (participant_id) WHERE acknowledged_at IS NULL;
