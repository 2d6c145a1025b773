-- 0004: delivery of staff alerts (storage/alert_delivery.py, bot/alerts.py).
--
-- An alert (0002) is the outbox record, written with the submission or report that caused it.
-- The delivery worker fans it out in rounds: round 0 is the first sending, round n the n-th
-- escalation. A round is recorded in `alert_rounds` in the same transaction as one
-- `alert_deliveries` row per recipient chat (every active staff member's private chat, whose id
-- is the Telegram user id, and the staff group chat if one is configured), so a crash can never
-- leave half a round, and the primary key / UNIQUE keys make a second fan-out of the same round
-- impossible.
--
-- A delivery goes pending -> sent (message_id recorded in the same transaction) or
-- pending -> failed (a permanent refusal: blocked, chat gone) or pending -> cancelled (the
-- alert was acknowledged first, the staff link was revoked, or a newer round superseded it).
-- After an acknowledgement every sent copy gets edit_status 'pending' until it has been edited
-- to show who acknowledged it; next_attempt_at then schedules the edit.
-- last_error holds an error class or Telegram's description, never anything about a patient.

CREATE TABLE alert_rounds (
    alert_id   INTEGER NOT NULL REFERENCES alerts (id),
    round      INTEGER NOT NULL CHECK (round >= 0),
    recipients INTEGER NOT NULL CHECK (recipients >= 0),
    created_at TEXT NOT NULL,
    PRIMARY KEY (alert_id, round)
);

CREATE TABLE alert_deliveries (
    id              INTEGER PRIMARY KEY,
    alert_id        INTEGER NOT NULL REFERENCES alerts (id),
    round           INTEGER NOT NULL CHECK (round >= 0),
    chat_id         INTEGER NOT NULL,
    link_id         INTEGER REFERENCES links (id),       -- the staff member; NULL: the group
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sent', 'failed', 'cancelled')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    message_id      INTEGER,
    last_error      TEXT,
    sent_at         TEXT,
    edit_status     TEXT CHECK (edit_status IN ('pending', 'done', 'failed')),
    edit_attempts   INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    UNIQUE (alert_id, round, chat_id),
    FOREIGN KEY (alert_id, round) REFERENCES alert_rounds (alert_id, round),
    CHECK ((status = 'sent') = (message_id IS NOT NULL AND sent_at IS NOT NULL)),
    CHECK (status <> 'pending' OR next_attempt_at IS NOT NULL),
    CHECK (edit_status IS NULL OR status = 'sent')
);
CREATE INDEX alert_deliveries_due ON alert_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX alert_deliveries_edits ON alert_deliveries (next_attempt_at)
    WHERE edit_status = 'pending';
CREATE INDEX alert_deliveries_of_alert ON alert_deliveries (alert_id, chat_id);
CREATE INDEX alerts_escalation ON alerts (next_escalation_at) WHERE acknowledged_at IS NULL;
