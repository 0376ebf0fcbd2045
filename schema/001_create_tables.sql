-- 001: the 13 Zendesk Talk tables and the export cursors.
-- Entity tables keep one current row per id (ReplacingMergeTree on _version);
-- statistics keep one row per fetch (and per agent for agents_activity).
-- Frozen once released: change the schema with a new numbered file.

CREATE TABLE IF NOT EXISTS account_overview
(
    `current_timestamp` Nullable(Int64),
    `average_call_duration` Nullable(Int64),
    `average_callback_wait_time` Nullable(Int64),
    `average_hold_time` Nullable(Int64),
    `average_queue_wait_time` Nullable(Int64),
    `average_time_to_answer` Nullable(Int64),
    `average_wrap_up_time` Nullable(Int64),
    `max_calls_waiting` Nullable(Int64),
    `max_queue_wait_time` Nullable(Int64),
    `total_call_duration` Nullable(Int64),
    `total_callback_calls` Nullable(Int64),
    `total_calls` Nullable(Int64),
    `total_calls_abandoned_in_queue` Nullable(Int64),
    `total_calls_outside_business_hours` Nullable(Int64),
    `total_calls_with_exceeded_queue_wait_time` Nullable(Int64),
    `total_calls_with_requested_voicemail` Nullable(Int64),
    `total_embeddable_callback_calls` Nullable(Int64),
    `total_hold_time` Nullable(Int64),
    `total_inbound_calls` Nullable(Int64),
    `total_outbound_calls` Nullable(Int64),
    `total_textback_requests` Nullable(Int64),
    `total_voicemails` Nullable(Int64),
    `total_wrap_up_time` Nullable(Int64),
    _raw String,
    _synced_at DateTime
)
ENGINE = ReplacingMergeTree
ORDER BY (_synced_at);

CREATE TABLE IF NOT EXISTS addresses
(
    `id` Int64,
    `name` Nullable(String),
    `street` Nullable(String),
    `zip` Nullable(String),
    `city` Nullable(String),
    `state` Nullable(String),
    `province` Nullable(String),
    `country_code` Nullable(String),
    `provider_reference` Nullable(String),
    _raw String,
    _synced_at DateTime,
    _version UInt64,
    _deleted UInt8
)
ENGINE = ReplacingMergeTree(_version)
ORDER BY (id);

CREATE TABLE IF NOT EXISTS agents_activity
(
    `agent_id` Int64,
    `name` Nullable(String),
    `agent_state` Nullable(String),
    `call_status` Nullable(String),
    `via` Nullable(String),
    `avatar_url` Nullable(String),
    `forwarding_number` Nullable(String),
    `available_time` Nullable(Int64),
    `away_time` Nullable(Int64),
    `online_time` Nullable(Int64),
    `calls_accepted` Nullable(Int64),
    `calls_denied` Nullable(Int64),
    `calls_missed` Nullable(Int64),
    `calls_put_on_hold` Nullable(Int64),
    `accepted_transfers` Nullable(Int64),
    `started_transfers` Nullable(Int64),
    `accepted_third_party_conferences` Nullable(Int64),
    `started_third_party_conferences` Nullable(Int64),
    `average_hold_time` Nullable(Int64),
    `average_talk_time` Nullable(Int64),
    `average_wrap_up_time` Nullable(Int64),
    `total_call_duration` Nullable(Int64),
    `total_hold_time` Nullable(Int64),
    `total_talk_time` Nullable(Int64),
    `total_wrap_up_time` Nullable(Int64),
    _raw String,
    _synced_at DateTime
)
ENGINE = ReplacingMergeTree
ORDER BY (_synced_at, agent_id);

CREATE TABLE IF NOT EXISTS agents_overview
(
    `average_accepted_transfers` Nullable(Int64),
    `average_available_time` Nullable(Int64),
    `average_away_time` Nullable(Int64),
    `average_calls_accepted` Nullable(Int64),
    `average_calls_denied` Nullable(Int64),
    `average_calls_missed` Nullable(Int64),
    `average_calls_put_on_hold` Nullable(Int64),
    `average_hold_time` Nullable(Int64),
    `average_online_time` Nullable(Int64),
    `average_started_transfers` Nullable(Int64),
    `average_talk_time` Nullable(Int64),
    `average_wrap_up_time` Nullable(Int64),
    `total_accepted_transfers` Nullable(Int64),
    `total_calls_accepted` Nullable(Int64),
    `total_calls_denied` Nullable(Int64),
    `total_calls_missed` Nullable(Int64),
    `total_calls_put_on_hold` Nullable(Int64),
    `total_hold_time` Nullable(Int64),
    `total_started_transfers` Nullable(Int64),
    `total_talk_time` Nullable(Int64),
    `total_wrap_up_time` Nullable(Int64),
    _raw String,
    _synced_at DateTime
)
ENGINE = ReplacingMergeTree
ORDER BY (_synced_at);

CREATE TABLE IF NOT EXISTS call_legs
(
    `id` Int64,
    `call_id` Nullable(Int64),
    `created_at` Nullable(DateTime),
    `updated_at` Nullable(DateTime),
    `agent_id` Nullable(Int64),
    `user_id` Nullable(Int64),
    `available_via` Nullable(String),
    `call_charge` Nullable(Decimal(18, 6)),
    `completion_status` Nullable(String),
    `conference_from` Nullable(Int64),
    `conference_time` Nullable(Int64),
    `conference_to` Nullable(Int64),
    `consultation_from` Nullable(Int64),
    `consultation_time` Nullable(Int64),
    `consultation_to` Nullable(Int64),
    `duration` Nullable(Int64),
    `forwarded_to` Nullable(String),
    `hold_time` Nullable(Int64),
    `minutes_billed` Nullable(Int64),
    `quality_issues` Array(String),
    `talk_time` Nullable(Int64),
    `transferred_from` Nullable(Int64),
    `transferred_to` Nullable(Int64),
    `type` Nullable(String),
    `wrap_up_time` Nullable(Int64),
    _raw String,
    _synced_at DateTime,
    _version UInt64,
    _deleted UInt8
)
ENGINE = ReplacingMergeTree(_version)
ORDER BY (id);

CREATE TABLE IF NOT EXISTS calls
(
    `id` Int64,
    `created_at` Nullable(DateTime),
    `updated_at` Nullable(DateTime),
    `agent_id` Nullable(Int64),
    `call_charge` Nullable(Decimal(18, 6)),
    `call_group_id` Nullable(Int64),
    `call_recording_consent` Nullable(String),
    `call_recording_consent_action` Nullable(String),
    `call_recording_consent_keypress` Nullable(String),
    `callback` Nullable(UInt8),
    `callback_source` Nullable(String),
    `completion_status` Nullable(String),
    `consultation_time` Nullable(Int64),
    `customer_requested_voicemail` Nullable(UInt8),
    `default_group` Nullable(UInt8),
    `direction` Nullable(String),
    `duration` Nullable(Int64),
    `exceeded_queue_time` Nullable(UInt8),
    `exceeded_queue_wait_time` Nullable(UInt8),
    `hold_time` Nullable(Int64),
    `ivr_action` Nullable(String),
    `ivr_destination_group_name` Nullable(String),
    `ivr_hops` Nullable(Int64),
    `ivr_routed_to` Nullable(String),
    `ivr_time_spent` Nullable(Int64),
    `minutes_billed` Nullable(Int64),
    `not_recording_time` Nullable(Int64),
    `outside_business_hours` Nullable(UInt8),
    `overflowed` Nullable(UInt8),
    `overflowed_to` Nullable(String),
    `phone_number` Nullable(String),
    `phone_number_id` Nullable(Int64),
    `quality_issues` Array(String),
    `recording_control_interactions` Nullable(Int64),
    `recording_time` Nullable(Int64),
    `talk_time` Nullable(Int64),
    `ticket_id` Nullable(Int64),
    `time_to_answer` Nullable(Int64),
    `voicemail` Nullable(UInt8),
    `wait_time` Nullable(Int64),
    `wrap_up_time` Nullable(Int64),
    `customer_id` Nullable(Int64),
    `line` Nullable(String),
    `line_id` Nullable(Int64),
    `line_type` Nullable(String),
    `call_channel` Nullable(String),
    _raw String,
    _synced_at DateTime,
    _version UInt64,
    _deleted UInt8
)
ENGINE = ReplacingMergeTree(_version)
ORDER BY (id);

CREATE TABLE IF NOT EXISTS current_queue_activity
(
    `current_timestamp` Nullable(Int64),
    `agents_online` Nullable(Int64),
    `average_wait_time` Nullable(Int64),
    `callbacks_waiting` Nullable(Int64),
    `calls_waiting` Nullable(Int64),
    `embeddable_callbacks_waiting` Nullable(Int64),
    `longest_wait_time` Nullable(Int64),
    _raw String,
    _synced_at DateTime
)
ENGINE = ReplacingMergeTree
ORDER BY (_synced_at);

CREATE TABLE IF NOT EXISTS greeting_categories
(
    `id` Int64,
    `name` Nullable(String),
    _raw String,
    _synced_at DateTime,
    _version UInt64,
    _deleted UInt8
)
ENGINE = ReplacingMergeTree(_version)
ORDER BY (id);

CREATE TABLE IF NOT EXISTS greetings
(
    `id` String,
    `name` Nullable(String),
    `category_id` Nullable(Int64),
    `default` Nullable(UInt8),
    `default_lang` Nullable(UInt8),
    `active` Nullable(UInt8),
    `pending` Nullable(UInt8),
    `audio_name` Nullable(String),
    `audio_url` Nullable(String),
    `upload_id` Nullable(Int64),
    `has_sub_settings` Nullable(UInt8),
    `ivr_ids` Array(String),
    `phone_number_ids` Array(String),
    _raw String,
    _synced_at DateTime,
    _version UInt64,
    _deleted UInt8
)
ENGINE = ReplacingMergeTree(_version)
ORDER BY (id);

CREATE TABLE IF NOT EXISTS ivr_menus
(
    `id` Int64,
    `ivr_id` Nullable(Int64),
    `name` Nullable(String),
    `default` Nullable(UInt8),
    `greeting_id` Nullable(String),
    _raw String,
    _synced_at DateTime,
    _version UInt64,
    _deleted UInt8
)
ENGINE = ReplacingMergeTree(_version)
ORDER BY (id);

CREATE TABLE IF NOT EXISTS ivr_routes
(
    `id` Int64,
    `ivr_id` Nullable(Int64),
    `ivr_menu_id` Nullable(Int64),
    `action` Nullable(String),
    `greeting` Nullable(String),
    `keypress` Nullable(String),
    `option_text` Nullable(String),
    `options` Nullable(String),
    `overflow_options` Nullable(String),
    _raw String,
    _synced_at DateTime,
    _version UInt64,
    _deleted UInt8
)
ENGINE = ReplacingMergeTree(_version)
ORDER BY (id);

CREATE TABLE IF NOT EXISTS ivrs
(
    `id` Int64,
    `name` Nullable(String),
    `phone_number_ids` Array(String),
    `phone_number_names` Array(String),
    _raw String,
    _synced_at DateTime,
    _version UInt64,
    _deleted UInt8
)
ENGINE = ReplacingMergeTree(_version)
ORDER BY (id);

CREATE TABLE IF NOT EXISTS phone_numbers
(
    `id` Int64,
    `number` Nullable(String),
    `display_number` Nullable(String),
    `name` Nullable(String),
    `nickname` Nullable(String),
    `country_code` Nullable(String),
    `location` Nullable(String),
    `toll_free` Nullable(UInt8),
    `recorded` Nullable(UInt8),
    `transcription` Nullable(UInt8),
    `sms_enabled` Nullable(UInt8),
    `voice_enabled` Nullable(UInt8),
    `outbound_enabled` Nullable(UInt8),
    `external` Nullable(UInt8),
    `priority` Nullable(Int64),
    `line_type` Nullable(String),
    `default_group_id` Nullable(Int64),
    `group_ids` Array(String),
    `greeting_ids` Array(String),
    `default_greeting_ids` Array(String),
    `ivr_id` Nullable(Int64),
    `schedule_id` Nullable(Int64),
    `sms_group_id` Nullable(Int64),
    `token` Nullable(String),
    `failover_number` Nullable(String),
    `call_recording_consent` Nullable(String),
    `created_at` Nullable(DateTime),
    `capabilities` Nullable(String),
    `categorised_greetings` Nullable(String),
    `categorised_greetings_with_sub_settings` Nullable(String),
    _raw String,
    _synced_at DateTime,
    _version UInt64,
    _deleted UInt8
)
ENGINE = ReplacingMergeTree(_version)
ORDER BY (id);

-- Where each incremental export stands: the start_time of the next request,
-- written after the rows before it are in ClickHouse. The newest _version
-- wins; sync_id is the Temporal run that wrote it, so a retried full refresh
-- resumes its own progress instead of starting over.
CREATE TABLE IF NOT EXISTS sync_cursors
(
    table_name String,
    cursor DateTime,
    sync_id String,
    complete UInt8,
    rows UInt64,
    updated_at DateTime,
    _version UInt64
)
ENGINE = ReplacingMergeTree(_version)
ORDER BY (table_name);
