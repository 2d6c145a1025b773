-- placeholder: drop at merge (0009 is added on another branch)
SELECT 1;
