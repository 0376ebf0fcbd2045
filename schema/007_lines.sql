-- 007: the lines table (GET /lines: phone numbers and digital lines in one
-- list) and its _live view. Frozen once released.

CREATE TABLE IF NOT EXISTS lines
(
    `id` Int64,
    `line_type` Nullable(String),
    `line_id` Nullable(String),
    `nickname` Nullable(String),
    `name` Nullable(String),
    `number` Nullable(String),
    `display_number` Nullable(String),
    `country_code` Nullable(String),
    `external` Nullable(UInt8),
    `priority` Nullable(Int64),
    `brand_id` Nullable(Int64),
    `toll_free` Nullable(UInt8),
    `sms_enabled` Nullable(UInt8),
    `voice_enabled` Nullable(UInt8),
    `outbound_enabled` Nullable(UInt8),
    `recorded` Nullable(UInt8),
    `default_group_id` Nullable(Int64),
    `group_ids` Array(String),
    `ivr_id` Nullable(Int64),
    `schedule_id` Nullable(Int64),
    `created_at` Nullable(DateTime),
    `capabilities` Nullable(String),
    _raw String,
    _synced_at DateTime,
    _version UInt64,
    _deleted UInt8
)
ENGINE = ReplacingMergeTree(_version)
ORDER BY (id);

CREATE VIEW IF NOT EXISTS lines_live AS
SELECT * FROM lines FINAL WHERE _deleted = 0;
