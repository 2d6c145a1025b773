-- 0006: the audit trail cannot be rewritten with INSERT OR REPLACE (or REPLACE INTO): REPLACE
-- deletes the old row without firing the DELETE trigger (recursive triggers are off), so an
-- insert that names an id already in the trail is refused before it happens.
CREATE TRIGGER audit_no_replace BEFORE INSERT ON audit
WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM audit WHERE id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'audit is append-only');
END;
