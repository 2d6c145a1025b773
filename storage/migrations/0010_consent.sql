-- 0010: the privacy notice a patient or caregiver agreed to (or declined), per link and version.
-- Applied migrations are never edited: add a new numbered file instead.

CREATE TABLE consents (
    id       INTEGER PRIMARY KEY,
    link_id  INTEGER NOT NULL REFERENCES links (id),
    version  TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('agreed', 'declined')),
    at       TEXT NOT NULL
);
CREATE INDEX consents_by_link ON consents (link_id, version);
