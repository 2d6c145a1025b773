-- 0006 is taken by another branch (ops: 0006_audit_no_replace.sql). This placeholder only lets
-- 0007 apply on this branch: DELETE IT WHEN MERGING (two 0006 files stop the migration runner).
SELECT 1;
