-- placeholder: drop at merge (0008 is added on another branch)
SELECT 1;
