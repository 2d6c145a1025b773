-- 0011: e-mails to the study's on-call address about urgent alerts left unacknowledged
-- (storage/alert_emails.py, bot/outbox/oncall.py). Applied migrations are never edited.
--
-- One row per alert, escalation round and address: an urgent alert still unacknowledged a set
-- time after a round went out to Telegram gets one e-mail per on-call address for that round.
-- The UNIQUE key makes a second e-mail for the same round and address impossible, and the row
-- (written before anything is sent) makes the e-mail survive a restart.
-- A row goes pending -> sent, pending -> cancelled (acknowledged before it went out) or
-- pending -> failed (never, with the alerts' unlimited retry policy; kept for a limited one).
-- last_error holds an error class only, never anything about a patient.

CREATE TABLE alert_emails (
    id              INTEGER PRIMARY KEY,
    alert_id        INTEGER NOT NULL REFERENCES alerts (id),
    round           INTEGER NOT NULL CHECK (round >= 0),
    address         TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sent', 'failed', 'cancelled')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error      TEXT,
    sent_at         TEXT,
    created_at      TEXT NOT NULL,
    UNIQUE (alert_id, round, address),
    FOREIGN KEY (alert_id, round) REFERENCES alert_rounds (alert_id, round),
    CHECK ((status = 'sent') = (sent_at IS NOT NULL)),
    CHECK (status <> 'pending' OR next_attempt_at IS NOT NULL)
);
CREATE INDEX alert_emails_due ON alert_emails (next_attempt_at) WHERE status = 'pending';
