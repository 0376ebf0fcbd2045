-- 004: what a table's sync warned about (export records dated in the
-- future, a stored cursor in the future) and noted ("nothing new yet"), so
-- SQL over sync_runs shows it. ClickHouse 18.16 has no ADD COLUMN IF NOT
-- EXISTS: the migration runner skips an ADD COLUMN whose column exists
-- (003 creates them in databases made since).
ALTER TABLE sync_runs ADD COLUMN warnings Array(String) AFTER reason;
ALTER TABLE sync_runs ADD COLUMN notes Array(String) AFTER warnings;
