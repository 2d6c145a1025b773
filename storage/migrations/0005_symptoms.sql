-- Adverse-symptom reports: asked at the end of every assessment (before review) and on their
-- own with /symptoms. A report is submitted the moment it is answered, so an urgent symptom
-- reaches staff even if the assessment around it is never submitted.

ALTER TABLE assessments ADD COLUMN symptoms_state TEXT NOT NULL DEFAULT '{}';

CREATE TABLE symptom_reports (
    id             INTEGER PRIMARY KEY,
    participant_id INTEGER NOT NULL REFERENCES participants (id),
    assessment_id  INTEGER UNIQUE REFERENCES assessments (id),  -- NULL: reported with /symptoms
    status         TEXT NOT NULL CHECK (status IN ('in_progress', 'submitted')),
    state          TEXT NOT NULL DEFAULT '{}',                  -- the step while in progress
    revision       INTEGER NOT NULL DEFAULT 0,
    language       TEXT NOT NULL CHECK (language IN ('en', 'cs')),
    started_at     TEXT NOT NULL,
    started_by     INTEGER NOT NULL REFERENCES links (id),
    submitted_at   TEXT,
    submitted_by   INTEGER REFERENCES links (id),
    urgent         INTEGER CHECK (urgent IN (0, 1)),
    chat_id        INTEGER,
    message_id     INTEGER,
    CHECK ((status = 'submitted') = (submitted_at IS NOT NULL))
);
CREATE UNIQUE INDEX symptom_reports_one_open ON symptom_reports (participant_id)
    WHERE status = 'in_progress';

CREATE TABLE symptom_report_items (
    report_id INTEGER NOT NULL REFERENCES symptom_reports (id),
    symptom   TEXT NOT NULL,
    severity  INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 3),
    free_text TEXT,
    PRIMARY KEY (report_id, symptom)
);
