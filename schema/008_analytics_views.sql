-- 008: the call-centre views, with days and hours in the analytics time
-- zone (ANALYTICS_TIMEZONE, written here as '{ANALYTICS_TIMEZONE}').
-- This file is applied again, and recorded again in schema_migrations,
-- whenever that setting changes: every view is dropped and created anew.
-- It also moves the time-dependent views of 002 from UTC to that zone.
--
-- Conventions (as in 002)
-- * Entity tables are read through their *_live views (FINAL, tombstones
--   excluded); statistics tables with FINAL (a retried write counts once).
-- * Days (Date) and hours (DateTime, the start of the hour) are taken in the
--   analytics zone from the call's or leg's created_at, or the snapshot's
--   _synced_at; rows without created_at are left out. A day of a DST change
--   has 23 or 25 hours.
-- * Times in seconds. Rates are fractions rounded to 4 decimals, averages
--   rounded to 1 decimal; both are NULL when nothing qualifies.
-- * Inbound calls are direction = 'inbound'. Completion statuses are
--   Zendesk's: 'completed' (answered by an agent), 'abandoned_in_ivr',
--   'abandoned_in_queue', 'abandoned_in_voicemail', 'abandoned_on_hold'
--   (answered, then the caller hung up on hold), 'voicemail',
--   'callback_requested', 'missed', 'declined', 'failed'.
-- * An answered call is one whose status is 'completed' or
--   'abandoned_on_hold'; its speed of answer is time_to_answer (queue wait
--   plus ringing).

-- calls_daily / calls_hourly / call_outcomes_daily / call_times_daily /
-- queue_activity_hourly: as defined in 002, in the analytics zone.
DROP TABLE IF EXISTS calls_daily;
CREATE VIEW IF NOT EXISTS calls_daily AS
SELECT
    toDate(assumeNotNull(created_at), '{ANALYTICS_TIMEZONE}') AS day,
    direction,
    completion_status,
    count() AS calls
FROM calls_live
WHERE created_at IS NOT NULL
GROUP BY day, direction, completion_status;

DROP TABLE IF EXISTS calls_hourly;
CREATE VIEW IF NOT EXISTS calls_hourly AS
SELECT
    toStartOfHour(assumeNotNull(created_at), '{ANALYTICS_TIMEZONE}') AS hour,
    direction,
    completion_status,
    count() AS calls
FROM calls_live
WHERE created_at IS NOT NULL
GROUP BY hour, direction, completion_status;

DROP TABLE IF EXISTS call_outcomes_daily;
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
        toDate(assumeNotNull(created_at), '{ANALYTICS_TIMEZONE}') AS day,
        ifNull(completion_status, '') AS status
    FROM calls_live
    WHERE created_at IS NOT NULL AND direction = 'inbound'
)
GROUP BY day;

DROP TABLE IF EXISTS call_times_daily;
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
        toDate(assumeNotNull(created_at), '{ANALYTICS_TIMEZONE}') AS day,
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

DROP TABLE IF EXISTS queue_activity_hourly;
CREATE VIEW IF NOT EXISTS queue_activity_hourly AS
SELECT
    toStartOfHour(snapshot_at, '{ANALYTICS_TIMEZONE}') AS hour,
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

-- inbound_call_facts: one row per live inbound call with what the service
-- level views need (a helper; the two views below aggregate it).
--   answered      status 'completed' or 'abandoned_on_hold'
--   abandoned     status starting with 'abandoned'
--   short_abandon abandoned in the IVR or the queue within 5 s of the call
--                 starting (ivr_time_spent + wait_time <= 5; NULLs as 0)
--   time_to_answer, wait_time as sent (NULL stays NULL)
DROP TABLE IF EXISTS inbound_call_facts;
CREATE VIEW IF NOT EXISTS inbound_call_facts AS
SELECT
    toStartOfHour(assumeNotNull(created_at), '{ANALYTICS_TIMEZONE}') AS hour,
    toDate(assumeNotNull(created_at), '{ANALYTICS_TIMEZONE}') AS day,
    ifNull(completion_status, '') IN ('completed', 'abandoned_on_hold') AS is_answered,
    ifNull(completion_status, '') LIKE 'abandoned%' AS is_abandoned,
    ifNull(completion_status, '') IN ('abandoned_in_ivr', 'abandoned_in_queue')
        AND ifNull(ivr_time_spent, 0) + ifNull(wait_time, 0) <= 5 AS is_short_abandon,
    time_to_answer,
    wait_time
FROM calls_live
WHERE created_at IS NOT NULL AND direction = 'inbound';

-- service_level_hourly / service_level_daily: per hour (day) of the
-- analytics zone, over inbound calls:
--   offered                inbound calls
--   answered               answered calls
--   answered_within_Ns     answered with time_to_answer <= N s (N = 10, 20,
--                          30, 60, 120; a NULL time_to_answer never counts)
--   abandoned              status abandoned_*
--   short_abandoned        abandons within 5 s (see inbound_call_facts)
--   service_level_20s/_30s answered_within_20s (30s) / (offered -
--                          short_abandoned)
--   average_speed_of_answer mean time_to_answer of answered calls that have one
--   longest_wait_time      the largest wait_time of any inbound call
DROP TABLE IF EXISTS service_level_hourly;
CREATE VIEW IF NOT EXISTS service_level_hourly AS
SELECT
    hour,
    count() AS offered,
    countIf(is_answered) AS answered,
    countIf(is_answered AND ifNull(time_to_answer <= 10, 0)) AS answered_within_10s,
    countIf(is_answered AND ifNull(time_to_answer <= 20, 0)) AS answered_within_20s,
    countIf(is_answered AND ifNull(time_to_answer <= 30, 0)) AS answered_within_30s,
    countIf(is_answered AND ifNull(time_to_answer <= 60, 0)) AS answered_within_60s,
    countIf(is_answered AND ifNull(time_to_answer <= 120, 0)) AS answered_within_120s,
    countIf(is_abandoned) AS abandoned,
    countIf(is_short_abandon) AS short_abandoned,
    round(answered_within_20s / nullIf(offered - short_abandoned, 0), 4) AS service_level_20s,
    round(answered_within_30s / nullIf(offered - short_abandoned, 0), 4) AS service_level_30s,
    round(sumIf(time_to_answer, is_answered) / nullIf(countIf(is_answered AND time_to_answer IS NOT NULL), 0), 1) AS average_speed_of_answer,
    max(wait_time) AS longest_wait_time
FROM inbound_call_facts
GROUP BY hour;

DROP TABLE IF EXISTS service_level_daily;
CREATE VIEW IF NOT EXISTS service_level_daily AS
SELECT
    day,
    count() AS offered,
    countIf(is_answered) AS answered,
    countIf(is_answered AND ifNull(time_to_answer <= 10, 0)) AS answered_within_10s,
    countIf(is_answered AND ifNull(time_to_answer <= 20, 0)) AS answered_within_20s,
    countIf(is_answered AND ifNull(time_to_answer <= 30, 0)) AS answered_within_30s,
    countIf(is_answered AND ifNull(time_to_answer <= 60, 0)) AS answered_within_60s,
    countIf(is_answered AND ifNull(time_to_answer <= 120, 0)) AS answered_within_120s,
    countIf(is_abandoned) AS abandoned,
    countIf(is_short_abandon) AS short_abandoned,
    round(answered_within_20s / nullIf(offered - short_abandoned, 0), 4) AS service_level_20s,
    round(answered_within_30s / nullIf(offered - short_abandoned, 0), 4) AS service_level_30s,
    round(sumIf(time_to_answer, is_answered) / nullIf(countIf(is_answered AND time_to_answer IS NOT NULL), 0), 1) AS average_speed_of_answer,
    max(wait_time) AS longest_wait_time
FROM inbound_call_facts
GROUP BY day;

-- abandonment_daily: per day, over inbound calls: how many were abandoned
-- at each stage (status abandoned_in_ivr, _in_queue, _in_voicemail,
-- _on_hold), each also as a rate of inbound_calls; abandoned is their sum.
-- callbacks_requested counts calls with callback = 1, split by
-- callback_source ('queue', 'web_widget', 'api'; anything else or NULL in
-- callbacks_other_source).
DROP TABLE IF EXISTS abandonment_daily;
CREATE VIEW IF NOT EXISTS abandonment_daily AS
SELECT
    day,
    count() AS inbound_calls,
    countIf(status = 'abandoned_in_ivr') AS abandoned_in_ivr,
    countIf(status = 'abandoned_in_queue') AS abandoned_in_queue,
    countIf(status = 'abandoned_in_voicemail') AS abandoned_in_voicemail,
    countIf(status = 'abandoned_on_hold') AS abandoned_on_hold,
    abandoned_in_ivr + abandoned_in_queue + abandoned_in_voicemail + abandoned_on_hold AS abandoned,
    round(abandoned_in_ivr / inbound_calls, 4) AS abandoned_in_ivr_rate,
    round(abandoned_in_queue / inbound_calls, 4) AS abandoned_in_queue_rate,
    round(abandoned_in_voicemail / inbound_calls, 4) AS abandoned_in_voicemail_rate,
    round(abandoned_on_hold / inbound_calls, 4) AS abandoned_on_hold_rate,
    round(abandoned / inbound_calls, 4) AS abandonment_rate,
    countIf(is_callback) AS callbacks_requested,
    countIf(is_callback AND source = 'queue') AS callbacks_from_queue,
    countIf(is_callback AND source = 'web_widget') AS callbacks_from_web_widget,
    countIf(is_callback AND source = 'api') AS callbacks_from_api,
    callbacks_requested - callbacks_from_queue - callbacks_from_web_widget - callbacks_from_api AS callbacks_other_source
FROM
(
    SELECT
        toDate(assumeNotNull(created_at), '{ANALYTICS_TIMEZONE}') AS day,
        ifNull(completion_status, '') AS status,
        ifNull(callback, 0) = 1 AS is_callback,
        ifNull(callback_source, '') AS source
    FROM calls_live
    WHERE created_at IS NOT NULL AND direction = 'inbound'
)
GROUP BY day;

-- agent_daily: per agent per day (of the leg's created_at), from the agent
-- legs (call_legs with type = 'agent' and an agent_id above 0). A call with
-- three agent legs counts once per leg here, and leg times are never
-- added to call times.
--   legs_offered        agent legs
--   legs_accepted       status 'completed' or 'agent_transferred_away' (the
--                       agent answered; the second one then transferred)
--   legs_missed         status 'agent_missed'
--   legs_declined       status 'agent_declined'
--   transfers_started   legs with transferred_to set
--   transfers_accepted  accepted legs with transferred_from set
--   consultations       legs with consultation_time set (consultations taken)
--   talk_time, hold_time, wrap_up_time  sums over accepted legs (NULL as 0)
--   average_handle_time (talk + hold + wrap-up) / legs_accepted
--   accept_rate         legs_accepted / legs_offered
--   name                from the agent's newest agents_activity snapshot
--                       ('' when the agent is in none)
DROP TABLE IF EXISTS agent_daily;
CREATE VIEW IF NOT EXISTS agent_daily AS
SELECT
    day,
    agent_id,
    name,
    legs_offered,
    legs_accepted,
    legs_missed,
    legs_declined,
    transfers_started,
    transfers_accepted,
    consultations,
    talk_time,
    hold_time,
    wrap_up_time,
    round((talk_time + hold_time + wrap_up_time) / nullIf(legs_accepted, 0), 1) AS average_handle_time,
    round(legs_accepted / legs_offered, 4) AS accept_rate
FROM
(
    SELECT
        day,
        agent_id,
        count() AS legs_offered,
        countIf(accepted) AS legs_accepted,
        countIf(status = 'agent_missed') AS legs_missed,
        countIf(status = 'agent_declined') AS legs_declined,
        countIf(has_transferred_to) AS transfers_started,
        countIf(accepted AND has_transferred_from) AS transfers_accepted,
        countIf(has_consultation) AS consultations,
        sumIf(talk, accepted) AS talk_time,
        sumIf(hold, accepted) AS hold_time,
        sumIf(wrap, accepted) AS wrap_up_time
    FROM
    (
        SELECT
            toDate(assumeNotNull(created_at), '{ANALYTICS_TIMEZONE}') AS day,
            assumeNotNull(agent_id) AS agent_id,
            ifNull(completion_status, '') AS status,
            status IN ('completed', 'agent_transferred_away') AS accepted,
            transferred_to IS NOT NULL AS has_transferred_to,
            transferred_from IS NOT NULL AS has_transferred_from,
            consultation_time IS NOT NULL AS has_consultation,
            ifNull(talk_time, 0) AS talk,
            ifNull(hold_time, 0) AS hold,
            ifNull(wrap_up_time, 0) AS wrap
        FROM call_legs_live
        WHERE created_at IS NOT NULL AND type = 'agent' AND ifNull(agent_id, 0) > 0
    )
    GROUP BY day, agent_id
) AS legs
ANY LEFT JOIN
(
    SELECT agent_id, ifNull(argMax(name, _synced_at), '') AS name
    FROM agents_activity
    GROUP BY agent_id
) AS names USING agent_id;

-- agent_state_timeline: each agent's state over time, one row per agent per
-- agents_activity snapshot (a retried write counts once). The resolution
-- is the snapshot interval: a state that began and ended between two
-- snapshots is not seen.
DROP TABLE IF EXISTS agent_state_timeline;
CREATE VIEW IF NOT EXISTS agent_state_timeline AS
SELECT
    _synced_at AS snapshot_at,
    toDate(_synced_at, '{ANALYTICS_TIMEZONE}') AS day,
    agent_id,
    name,
    agent_state,
    call_status,
    via
FROM agents_activity FINAL;

-- agent_occupancy_hourly: per agent per hour, the share of that hour's
-- snapshots in which the agent was online (agent_state 'online'), away
-- ('away'), on a call (call_status 'on_call') and in wrap-up (call_status
-- 'wrap_up'). Resolution: the snapshot interval (SCHEDULE_STATS).
DROP TABLE IF EXISTS agent_occupancy_hourly;
CREATE VIEW IF NOT EXISTS agent_occupancy_hourly AS
SELECT
    toStartOfHour(snapshot_at, '{ANALYTICS_TIMEZONE}') AS hour,
    agent_id,
    ifNull(argMax(name, snapshot_at), '') AS name,
    count() AS snapshots,
    round(countIf(ifNull(agent_state, '') = 'online') / snapshots, 4) AS online_share,
    round(countIf(ifNull(agent_state, '') = 'away') / snapshots, 4) AS away_share,
    round(countIf(ifNull(call_status, '') = 'on_call') / snapshots, 4) AS on_call_share,
    round(countIf(ifNull(call_status, '') = 'wrap_up') / snapshots, 4) AS wrap_up_share
FROM agent_state_timeline
GROUP BY hour, agent_id;

-- ivr_paths_daily: inbound calls that went through an IVR (ivr_action,
-- ivr_hops or ivr_time_spent set) per day, ivr_action and
-- ivr_destination_group_name: how many, the mean hops and time in the IVR
-- (NULLs skipped), the total time in the IVR, and how many (and what
-- share) were abandoned in the IVR.
DROP TABLE IF EXISTS ivr_paths_daily;
CREATE VIEW IF NOT EXISTS ivr_paths_daily AS
SELECT
    day,
    ivr_action,
    ivr_destination_group_name,
    count() AS calls,
    round(avg(ivr_hops), 1) AS avg_ivr_hops,
    sum(ifNull(ivr_time_spent, 0)) AS total_ivr_time_spent,
    round(avg(ivr_time_spent), 1) AS avg_ivr_time_spent,
    countIf(status = 'abandoned_in_ivr') AS abandoned_in_ivr,
    round(abandoned_in_ivr / calls, 4) AS ivr_abandonment_rate
FROM
(
    SELECT
        toDate(assumeNotNull(created_at), '{ANALYTICS_TIMEZONE}') AS day,
        ivr_action,
        ivr_destination_group_name,
        ivr_hops,
        ivr_time_spent,
        ifNull(completion_status, '') AS status
    FROM calls_live
    WHERE created_at IS NOT NULL AND direction = 'inbound'
        AND (ivr_action IS NOT NULL OR ivr_hops IS NOT NULL OR ivr_time_spent IS NOT NULL)
)
GROUP BY day, ivr_action, ivr_destination_group_name;

-- calls_by_line_daily: calls per line per day, by direction and outcome
-- (completion_status). The line is the call's line_id, else its
-- phone_number_id (0: neither). line_name is the line's nickname, else its
-- name, else its display number, from lines (phone and digital lines),
-- else from phone_numbers, else the largest of the calls' own line (or
-- phone_number) fields ('' when nothing names it).
DROP TABLE IF EXISTS calls_by_line_daily;
CREATE VIEW IF NOT EXISTS calls_by_line_daily AS
SELECT
    day,
    line_id,
    line_type,
    if(line_name_lines != '', line_name_lines, if(line_name_phone != '', line_name_phone, line_name_call)) AS line_name,
    direction,
    completion_status,
    calls
FROM
(
    SELECT day, line_id, line_type, line_name_call, direction, completion_status, calls, line_name_lines
    FROM
    (
        SELECT
            toDate(assumeNotNull(created_at), '{ANALYTICS_TIMEZONE}') AS day,
            ifNull(line_id, ifNull(phone_number_id, 0)) AS line_id,
            line_type,
            direction,
            completion_status,
            max(ifNull(line, ifNull(phone_number, ''))) AS line_name_call,
            count() AS calls
        FROM calls_live
        WHERE created_at IS NOT NULL
        GROUP BY day, line_id, line_type, direction, completion_status
    ) AS per_line
    ANY LEFT JOIN
    (
        SELECT id AS line_id, ifNull(nickname, ifNull(name, ifNull(display_number, ''))) AS line_name_lines
        FROM lines_live
    ) AS line_names USING line_id
) AS named
ANY LEFT JOIN
(
    SELECT id AS line_id, ifNull(nickname, ifNull(name, ifNull(display_number, ''))) AS line_name_phone
    FROM phone_numbers_live
) AS phone_names USING line_id;
