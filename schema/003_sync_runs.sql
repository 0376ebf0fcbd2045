-- 003: what every sync did, one row per table per sync, failures included,
-- so an operator can see with SQL what happened. Written by the workflow
-- (through an activity) once the sync's tables have finished; a rerun of
-- the same run id replaces its rows.
CREATE TABLE IF NOT EXISTS sync_runs
(
    workflow_id String,
    run_id String,
    table_name String,
    mode String,
    status String,
    rows UInt64,
    pages UInt64,
    requests UInt64,
    deleted UInt64,
    started_at DateTime,
    finished_at DateTime,
    cursor_before Nullable(DateTime),
    cursor_after Nullable(DateTime),
    reason String,
    -- Also added by 004 to databases made before it: a replica created late
    -- (a cluster node down during 003 and 004) must find the structure that
    -- ZooKeeper has, so the table is created whole and 004 then adds nothing.
    warnings Array(String),
    notes Array(String),
    _version UInt64
)
ENGINE = ReplacingMergeTree(_version)
ORDER BY (table_name, started_at, workflow_id, run_id);
