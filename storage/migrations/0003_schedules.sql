-- 0003: reminder schedules and the reminder outbox.
--
-- A participant's schedule (interval, time of day, zone) is NULL where the study default from
-- the study file's [schedule] applies. `active_since` is when the participant last became active
-- again or their schedule last changed (conversations/schedule.py: no cycle falls due before it).
--
-- Outbox: a reminder is decided by inserting its (participant, cycle key, kind) row together with
-- one pending delivery per recipient, in one transaction; the UNIQUE key makes a second decision
-- for the same message impossible. A delivery goes pending -> sent (or failed / dropped), so a
-- restart resends exactly what was decided and not yet delivered. A MISSED notice waits for the
-- staff digest of its study-local day (one digest row per day, UNIQUE), delivered the same way.

CREATE TABLE schedules (
    participant_id INTEGER PRIMARY KEY REFERENCES participants (id),
    interval_days  INTEGER CHECK (interval_days BETWEEN 1 AND 365),
    preferred_time TEXT CHECK (preferred_time GLOB '[0-2][0-9]:[0-5][0-9]'),   -- local HH:MM
    timezone       TEXT CHECK (length(timezone) BETWEEN 1 AND 64),             -- IANA name
    active_since   TEXT,            -- NULL: active since enrollment
    updated_at     TEXT NOT NULL
);

CREATE TABLE reminder_digests (
    id         INTEGER PRIMARY KEY,
    day        TEXT NOT NULL UNIQUE,   -- the study-local date of the digest, ISO
    created_at TEXT NOT NULL
);

CREATE TABLE reminders (
    id             INTEGER PRIMARY KEY,
    participant_id INTEGER NOT NULL REFERENCES participants (id),
    cycle_key      TEXT NOT NULL,   -- the cycle's local due date, ISO
    kind           TEXT NOT NULL CHECK (kind IN ('due', 'follow_up', 'missed')),
    planned_at     TEXT NOT NULL,   -- when the schedule said it was due
    decided_at     TEXT NOT NULL,   -- when the bot decided to send it
    expires_at     TEXT,            -- due, follow_up: the window's close (undelivered: dropped)
    digest_id      INTEGER REFERENCES reminder_digests (id),   -- missed: the digest carrying it
    UNIQUE (participant_id, cycle_key, kind),
    CHECK ((kind = 'missed') = (expires_at IS NULL)),
    CHECK (kind = 'missed' OR digest_id IS NULL)
);
CREATE INDEX reminders_awaiting_digest ON reminders (planned_at)
    WHERE kind = 'missed' AND digest_id IS NULL;
CREATE INDEX reminders_by_digest ON reminders (digest_id) WHERE digest_id IS NOT NULL;

-- One message (a reminder, or a digest in one or more parts) to one account's private chat.
CREATE TABLE reminder_deliveries (
    id          INTEGER PRIMARY KEY,
    reminder_id INTEGER REFERENCES reminders (id),
    digest_id   INTEGER REFERENCES reminder_digests (id),
    account_id  INTEGER NOT NULL REFERENCES accounts (id),
    state       TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'sent', 'failed', 'dropped')),
    parts_sent  INTEGER NOT NULL DEFAULT 0,
    attempts    INTEGER NOT NULL DEFAULT 0,
    retry_at    TEXT,               -- pending after a transient failure: not before this
    outcome     TEXT,               -- failed or dropped: blocked, rejected, expired, superseded, ...
    done_at     TEXT,
    CHECK ((reminder_id IS NULL) <> (digest_id IS NULL))
);
CREATE UNIQUE INDEX reminder_deliveries_per_reminder
    ON reminder_deliveries (reminder_id, account_id) WHERE reminder_id IS NOT NULL;
CREATE UNIQUE INDEX reminder_deliveries_per_digest
    ON reminder_deliveries (digest_id, account_id) WHERE digest_id IS NOT NULL;
CREATE INDEX reminder_deliveries_pending
    ON reminder_deliveries (reminder_id, digest_id) WHERE state = 'pending';

-- Participants enrolled before reminders existed start their schedule now: no burst of notices
-- for cycles nobody was reminded of.
INSERT INTO schedules (participant_id, active_since, updated_at)
    SELECT id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
    FROM participants WHERE status = 'active';

-- Every status change passes through the audit trail with its moment (storage.people.set_status
-- from the staff command and the CLI alike); becoming active again restarts the schedule there.
CREATE TRIGGER schedules_active_again AFTER INSERT ON audit
WHEN NEW.action = 'participant.status' AND NEW.new_value = 'active' AND NEW.entity_id IS NOT NULL
BEGIN
    INSERT OR IGNORE INTO schedules (participant_id, updated_at) VALUES (NEW.entity_id, NEW.at);
    UPDATE schedules SET active_since = NEW.at, updated_at = NEW.at
        WHERE participant_id = NEW.entity_id;
END;
