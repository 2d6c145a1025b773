-- 0009: study IDs are case-insensitive and stored in one canonical form, capitals. Rows written
-- before this version in lower case are raised, unless that would collide with an existing ID
-- (lookups ignore case, so such a pair is still found; staff resolve it by hand).
UPDATE participants
   SET subject = UPPER(subject)
 WHERE subject <> UPPER(subject)
   AND NOT EXISTS (SELECT 1 FROM participants q WHERE q.subject = UPPER(participants.subject));
