-- 009: the voice_settings table (GET /settings, the account's Talk
-- settings), a change log: a row only when the settings differ from the
-- newest stored row (tables/voice_settings.go), and voice_settings_current,
-- the newest row. Frozen once released.

CREATE TABLE IF NOT EXISTS voice_settings
(
    `agent_confirmation_when_forwarding` Nullable(UInt8),
    `agent_wrap_up_after_calls` Nullable(UInt8),
    `knowledge_suggestions_enabled` Nullable(UInt8),
    `knowledge_suggestions_group_ids` Array(String),
    `maximum_queue_size` Nullable(Int64),
    `maximum_queue_wait_time` Nullable(Int64),
    `only_during_business_hours` Nullable(UInt8),
    `recordings_public` Nullable(UInt8),
    `supported_locales` Array(String),
    `voice` Nullable(UInt8),
    `voice_ai_display_transcript` Nullable(UInt8),
    `voice_ai_enabled` Nullable(UInt8),
    `voice_ai_enabled_lines` Array(String),
    `voice_transcriptions` Nullable(UInt8),
    `voice_zendesk_qa_enabled` Nullable(UInt8),
    _raw String,
    _synced_at DateTime
)
ENGINE = ReplacingMergeTree
ORDER BY (_synced_at);

CREATE VIEW IF NOT EXISTS voice_settings_current AS
SELECT * FROM voice_settings FINAL ORDER BY _synced_at DESC LIMIT 1;
