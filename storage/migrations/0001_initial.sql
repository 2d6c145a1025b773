-- 0001: participants, Telegram accounts kept apart from study data, invitation codes,
-- assessments with per-answer attribution, and an append-only audit trail.
-- Applied migrations are never edited: add a new numbered file instead.

CREATE TABLE participants (
    id              INTEGER PRIMARY KEY,
    subject         TEXT NOT NULL UNIQUE,        -- pseudonymous study ID, e.g. S001
    language        TEXT CHECK (language IN ('en', 'cs')),
    status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'withdrawn')),
    has_gastrostomy INTEGER CHECK (has_gastrostomy IN (0, 1)),
    created_at      TEXT NOT NULL
);

-- A Telegram account, known only by its numeric id; no names, no phone numbers.
CREATE TABLE accounts (
    id               INTEGER PRIMARY KEY,
    telegram_user_id INTEGER NOT NULL UNIQUE,
    language         TEXT CHECK (language IN ('en', 'cs')),
    created_at       TEXT NOT NULL
);

-- Who may act for whom. Unlinking an account revokes the row; the study record stays pseudonymous.
CREATE TABLE links (
    id             INTEGER PRIMARY KEY,
    account_id     INTEGER NOT NULL REFERENCES accounts (id),
    participant_id INTEGER REFERENCES participants (id),
    role           TEXT NOT NULL CHECK (role IN ('patient', 'caregiver', 'staff')),
    created_at     TEXT NOT NULL,
    revoked_at     TEXT,
    CHECK ((role = 'staff') = (participant_id IS NULL))
);
CREATE UNIQUE INDEX links_one_patient_account ON links (participant_id)
    WHERE role = 'patient' AND revoked_at IS NULL;
CREATE UNIQUE INDEX links_active ON links (account_id, COALESCE(participant_id, 0))
    WHERE revoked_at IS NULL;

-- Invitation codes are stored hashed; the plain code is shown once, to the operator.
CREATE TABLE invitations (
    id             INTEGER PRIMARY KEY,
    code_hash      TEXT NOT NULL UNIQUE,
    role           TEXT NOT NULL CHECK (role IN ('patient', 'caregiver', 'staff')),
    participant_id INTEGER REFERENCES participants (id),
    created_at     TEXT NOT NULL,
    expires_at     TEXT NOT NULL,
    used_at        TEXT,
    used_by        INTEGER REFERENCES accounts (id)
);

-- Failed attempts to redeem a code, per Telegram account, for slowing down guessing.
CREATE TABLE code_attempts (
    telegram_user_id INTEGER NOT NULL,
    at               TEXT NOT NULL
);
CREATE INDEX code_attempts_by_user ON code_attempts (telegram_user_id, at);

CREATE TABLE assessments (
    id             INTEGER PRIMARY KEY,
    participant_id INTEGER NOT NULL REFERENCES participants (id),
    status         TEXT NOT NULL CHECK (status IN ('in_progress', 'submitted')),
    position       TEXT NOT NULL,
    back_to_review INTEGER NOT NULL DEFAULT 0,
    has_tube       INTEGER CHECK (has_tube IN (0, 1)),
    revision       INTEGER NOT NULL DEFAULT 0,
    language       TEXT NOT NULL CHECK (language IN ('en', 'cs')),
    started_at     TEXT NOT NULL,
    started_by     INTEGER NOT NULL REFERENCES links (id),
    submitted_at   TEXT,
    submitted_by   INTEGER REFERENCES links (id),
    item5_variant  TEXT CHECK (item5_variant IN ('5a', '5b')),
    total          INTEGER CHECK (total BETWEEN 0 AND 40),
    chat_id        INTEGER,
    message_id     INTEGER,
    CHECK ((status = 'submitted') = (submitted_at IS NOT NULL AND total IS NOT NULL))
);
-- Only one assessment per participant can be in progress.
CREATE UNIQUE INDEX assessments_one_open ON assessments (participant_id) WHERE status = 'in_progress';
CREATE INDEX assessments_submitted ON assessments (participant_id, submitted_at) WHERE status = 'submitted';

CREATE TABLE answers (
    assessment_id INTEGER NOT NULL REFERENCES assessments (id),
    item          INTEGER NOT NULL CHECK (item BETWEEN 1 AND 10),
    score         INTEGER NOT NULL CHECK (score BETWEEN 0 AND 4),
    variant       TEXT CHECK (variant IN ('5a', '5b')),
    answered_by   INTEGER NOT NULL REFERENCES links (id),
    answered_at   TEXT NOT NULL,
    PRIMARY KEY (assessment_id, item),
    CHECK ((item = 5) = (variant IS NOT NULL))
);

-- Append-only: who did what, when, on whose behalf. The database refuses changes to it.
CREATE TABLE audit (
    id           INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,
    actor_role   TEXT NOT NULL,     -- patient, caregiver, staff, operator, system
    actor_id     INTEGER,           -- links.id for people in Telegram; NULL for operator/system
    on_behalf_of INTEGER REFERENCES participants (id),
    action       TEXT NOT NULL,
    entity       TEXT NOT NULL,
    entity_id    INTEGER,
    old_value    TEXT,
    new_value    TEXT,
    reason       TEXT
);
CREATE INDEX audit_by_participant ON audit (on_behalf_of, id);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit is append-only');
END;

CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit is append-only');
END;
