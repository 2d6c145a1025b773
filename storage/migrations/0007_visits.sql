-- 0007: clinic visits entered by staff (clinic-rated ALSFRS, FVC % of predicted, Norris scale),
-- and the month of symptom onset. A visit is a draft while staff walk through it in Telegram,
-- then saved; a correction changes the saved row and the audit trail keeps old and new values.
-- Its respondent kind is always 'clinic': a clinic rating is never stored as an assessment.

ALTER TABLE participants ADD COLUMN onset_month TEXT
    CHECK (onset_month IS NULL OR onset_month GLOB '[12][0-9][0-9][0-9]-[01][0-9]');

CREATE TABLE visits (
    id              INTEGER PRIMARY KEY,
    participant_id  INTEGER NOT NULL REFERENCES participants (id),
    status          TEXT NOT NULL CHECK (status IN ('draft', 'saved')),
    state           TEXT NOT NULL DEFAULT '{}',      -- the step while a draft
    revision        INTEGER NOT NULL DEFAULT 0,
    respondent_kind TEXT NOT NULL DEFAULT 'clinic' CHECK (respondent_kind = 'clinic'),
    label           TEXT,                            -- I, III, VI... or 'unscheduled'
    visit_date      TEXT,                            -- YYYY-MM-DD, the study's calendar
    item5_variant   TEXT CHECK (item5_variant IN ('5a', '5b')),
    items           TEXT,                            -- JSON {"1": 4, ...}; NULL: not rated
    total           INTEGER CHECK (total BETWEEN 0 AND 40),
    fvc_percent     INTEGER CHECK (fvc_percent BETWEEN 0 AND 300),
    norris_total    INTEGER CHECK (norris_total >= 0),
    norris_bulbar   INTEGER CHECK (norris_bulbar >= 0),
    norris_spinal   INTEGER CHECK (norris_spinal >= 0),
    rated_by        INTEGER REFERENCES links (id),   -- the staff member; NULL: the operator (CLI)
    rated_by_role   TEXT NOT NULL CHECK (rated_by_role IN ('staff', 'operator')),
    created_at      TEXT NOT NULL,
    saved_at        TEXT,
    corrected_at    TEXT,
    chat_id         INTEGER,
    message_id      INTEGER,
    CHECK ((status = 'saved') = (saved_at IS NOT NULL AND label IS NOT NULL
                                 AND visit_date IS NOT NULL)),
    CHECK ((items IS NULL) = (total IS NULL) AND (items IS NULL) = (item5_variant IS NULL))
);
CREATE INDEX visits_saved ON visits (participant_id, visit_date) WHERE status = 'saved';
-- One draft per staff member at a time (typed numbers go to it).
CREATE UNIQUE INDEX visits_one_draft ON visits (rated_by) WHERE status = 'draft';
