-- 002: views for the common questions. They run on ClickHouse 18.16 and on
-- current releases (no window functions, JSON functions or newer types).
--
-- Conventions
-- * Every figure is built on the *_live views, so a row fetched twice counts
--   once and a row removed upstream (_deleted = 1) does not count at all.
-- * Days and hours are UTC, taken from the call's created_at (when the call
--   started); calls without created_at are left out of the per-day/hour views.
-- * Times are in seconds, as the API sends them. Averages skip NULLs and are
--   NULL when no call qualifies; rates are fractions (0.25 = 25 %), rounded
--   to 4 decimals; averages are rounded to 1 decimal.
-- * direction and completion_status are NULL where the API sent null.
--
-- A view keeps the column list it had when created: a later migration that
-- adds a column to an entity table must DROP VIEW and CREATE VIEW its _live
-- view again (warehouse/views_test.go checks that they match the tables).

-- The live rows of each entity table: one current row per id, rows removed
-- upstream excluded. FINAL merges the versions first, then WHERE drops the
-- tombstones, so a deleted row never falls back to an older version.
CREATE VIEW IF NOT EXISTS addresses_live AS
SELECT * FROM addresses FINAL WHERE _deleted = 0;

CREATE VIEW IF NOT EXISTS greeting_categories_live AS
SELECT * FROM greeting_categories FINAL WHERE _deleted = 0;

CREATE VIEW IF NOT EXISTS greetings_live AS
SELECT * FROM greetings FINAL WHERE _deleted = 0;

CREATE VIEW IF NOT EXISTS ivrs_live AS
SELECT * FROM ivrs FINAL WHERE _deleted = 0;

CREATE VIEW IF NOT EXISTS ivr_menus_live AS
SELECT * FROM ivr_menus FINAL WHERE _deleted = 0;

CREATE VIEW IF NOT EXISTS ivr_routes_live AS
SELECT * FROM ivr_routes FINAL WHERE _deleted = 0;

CREATE VIEW IF NOT EXISTS phone_numbers_live AS
SELECT * FROM phone_numbers FINAL WHERE _deleted = 0;

CREATE VIEW IF NOT EXISTS calls_live AS
SELECT * FROM calls FINAL WHERE _deleted = 0;

CREATE VIEW IF NOT EXISTS call_legs_live AS
SELECT * FROM call_legs FINAL WHERE _deleted = 0;

-- calls_daily: how many calls each UTC day, by direction and completion
-- status. Columns: day Date, direction, completion_status, calls.
CREATE VIEW IF NOT EXISTS calls_daily AS
SELECT
    toDate(assumeNotNull(created_at), 'UTC') AS day,
    direction,
    completion_status,
    count() AS calls
FROM calls_live
WHERE created_at IS NOT NULL
GROUP BY day, direction, completion_status;

-- calls_hourly: the same per UTC hour. Columns: hour DateTime (start of the
-- hour), direction, completion_status, calls.
CREATE VIEW IF NOT EXISTS calls_hourly AS
SELECT
    toStartOfHour(assumeNotNull(created_at), 'UTC') AS hour,
    direction,
    completion_status,
    count() AS calls
FROM calls_live
WHERE created_at IS NOT NULL
GROUP BY hour, direction, completion_status;

-- call_outcomes_daily: what became of the inbound calls (direction =
-- 'inbound') each UTC day. Outbound calls cannot be abandoned, so they are
-- left out. Each call counts in at most one outcome, by completion_status:
--   completed          = 'completed' (answered by an agent)
--   abandoned          = any status starting with 'abandoned' (today
--                        abandoned_in_queue, abandoned_in_ivr,
--                        abandoned_on_hold)
--   voicemail          = 'voicemail' (the caller was sent to voicemail)
--   callback_requested = 'callback_requested'
--   missed             = 'missed' or 'declined' (an agent was offered the
--                        call and did not take it)
-- Other statuses ('failed', NULL, anything new) count only in inbound_calls.
-- Rates are outcome / inbound_calls.
CREATE VIEW IF NOT EXISTS call_outcomes_daily AS
SELECT
    day,
    count() AS inbound_calls,
    countIf(status = 'completed') AS completed,
    countIf(status LIKE 'abandoned%') AS abandoned,
    countIf(status = 'voicemail') AS voicemail,
    countIf(status = 'callback_requested') AS callback_requested,
    countIf(status IN ('missed', 'declined')) AS missed,
    round(completed / inbound_calls, 4) AS completion_rate,
    round(abandoned / inbound_calls, 4) AS abandonment_rate,
    round(voicemail / inbound_calls, 4) AS voicemail_rate,
    round(callback_requested / inbound_calls, 4) AS callback_rate
FROM
(
    SELECT
        toDate(assumeNotNull(created_at), 'UTC') AS day,
        ifNull(completion_status, '') AS status
    FROM calls_live
    WHERE created_at IS NOT NULL AND direction = 'inbound'
)
GROUP BY day;

-- call_times_daily: average wait, talk, hold and wrap-up times per UTC day
-- and direction, in seconds.
--   calls            every call of the day and direction
--   answered_calls   calls with talk_time > 0
--   avg_wait_time    mean wait_time over all calls with a wait_time (a call
--                    answered at once waited 0 s; outbound calls wait 0 s)
--   avg_talk_time, avg_hold_time, avg_wrap_up_time
--                    means over the answered calls only (a call never put on
--                    hold counts as 0 s of hold)
CREATE VIEW IF NOT EXISTS call_times_daily AS
SELECT
    day,
    direction,
    count() AS calls,
    countIf(answered) AS answered_calls,
    round(avg(wait_time), 1) AS avg_wait_time,
    round(sumIf(talk_time, answered) / nullIf(countIf(answered AND talk_time IS NOT NULL), 0), 1) AS avg_talk_time,
    round(sumIf(hold_time, answered) / nullIf(countIf(answered AND hold_time IS NOT NULL), 0), 1) AS avg_hold_time,
    round(sumIf(wrap_up_time, answered) / nullIf(countIf(answered AND wrap_up_time IS NOT NULL), 0), 1) AS avg_wrap_up_time
FROM
(
    SELECT
        toDate(assumeNotNull(created_at), 'UTC') AS day,
        direction,
        ifNull(talk_time, 0) > 0 AS answered,
        wait_time,
        talk_time,
        hold_time,
        wrap_up_time
    FROM calls_live
    WHERE created_at IS NOT NULL
)
GROUP BY day, direction;

-- agents_latest: each agent's figures from the newest agents_activity
-- snapshot (the statistics cover "today" up to snapshot_at). Times in
-- seconds. calls_offered = accepted + denied + missed; accept_rate =
-- calls_accepted / calls_offered (NULL when nothing was offered).
CREATE VIEW IF NOT EXISTS agents_latest AS
SELECT
    _synced_at AS snapshot_at,
    agent_id,
    name,
    agent_state,
    call_status,
    via,
    online_time,
    available_time,
    away_time,
    calls_accepted,
    calls_denied,
    calls_missed,
    ifNull(calls_accepted, 0) + ifNull(calls_denied, 0) + ifNull(calls_missed, 0) AS calls_offered,
    round(calls_accepted / nullIf(calls_offered, 0), 4) AS accept_rate,
    calls_put_on_hold,
    accepted_transfers,
    started_transfers,
    accepted_third_party_conferences,
    started_third_party_conferences,
    average_talk_time,
    average_hold_time,
    average_wrap_up_time,
    total_call_duration,
    total_talk_time,
    total_hold_time,
    total_wrap_up_time
FROM agents_activity FINAL
WHERE _synced_at = (SELECT max(_synced_at) FROM agents_activity);

-- queue_activity_history: the queue over time, one row per
-- current_queue_activity snapshot (a retried write of one snapshot counts
-- once). Waits in seconds.
CREATE VIEW IF NOT EXISTS queue_activity_history AS
SELECT
    _synced_at AS snapshot_at,
    calls_waiting,
    callbacks_waiting,
    embeddable_callbacks_waiting,
    agents_online,
    average_wait_time,
    longest_wait_time
FROM current_queue_activity FINAL;

-- queue_activity_hourly: the queue per UTC hour, from the snapshots taken in
-- that hour: how many, the largest and mean calls waiting, the fewest, mean
-- and most agents online, and the longest wait seen (max_longest_wait_time).
CREATE VIEW IF NOT EXISTS queue_activity_hourly AS
SELECT
    toStartOfHour(snapshot_at, 'UTC') AS hour,
    count() AS snapshots,
    max(calls_waiting) AS max_calls_waiting,
    round(avg(calls_waiting), 2) AS avg_calls_waiting,
    max(callbacks_waiting) AS max_callbacks_waiting,
    min(agents_online) AS min_agents_online,
    round(avg(agents_online), 2) AS avg_agents_online,
    max(agents_online) AS max_agents_online,
    max(longest_wait_time) AS max_longest_wait_time
FROM queue_activity_history
GROUP BY hour;
