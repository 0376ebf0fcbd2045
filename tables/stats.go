package tables

// The four live statistics (voice_settings.go is kept as history too) cover "today" up to the moment of the request.
// Each fetch is kept as a snapshot keyed by its fetch time (_synced_at), so
// the history becomes a time series. Fields of higher plans are simply
// absent on lower ones: every column is Nullable.

var _ = register(&Table{
	Name:     "account_overview",
	Kind:     Stats,
	Path:     "/stats/account_overview",
	Envelope: "account_overview",
	Single:   true,
	Key:      []string{"_synced_at"},
	Columns: []Column{
		I("current_timestamp"), I("average_call_duration"), I("average_callback_wait_time"),
		I("average_hold_time"), I("average_queue_wait_time"), I("average_time_to_answer"),
		I("average_wrap_up_time"), I("max_calls_waiting"), I("max_queue_wait_time"),
		I("total_call_duration"), I("total_callback_calls"), I("total_calls"),
		I("total_calls_abandoned_in_queue"), I("total_calls_outside_business_hours"),
		I("total_calls_with_exceeded_queue_wait_time"), I("total_calls_with_requested_voicemail"),
		I("total_embeddable_callback_calls"), I("total_hold_time"), I("total_inbound_calls"),
		I("total_outbound_calls"), I("total_textback_requests"), I("total_voicemails"),
		I("total_wrap_up_time"),
	},
})

var _ = register(&Table{
	Name:     "agents_overview",
	Kind:     Stats,
	Path:     "/stats/agents_overview",
	Envelope: "agents_overview",
	Single:   true,
	Key:      []string{"_synced_at"},
	Columns: []Column{
		I("average_accepted_transfers"), I("average_available_time"), I("average_away_time"),
		I("average_calls_accepted"), I("average_calls_denied"), I("average_calls_missed"),
		I("average_calls_put_on_hold"), I("average_hold_time"), I("average_online_time"),
		I("average_started_transfers"), I("average_talk_time"), I("average_wrap_up_time"),
		I("total_accepted_transfers"), I("total_calls_accepted"), I("total_calls_denied"),
		I("total_calls_missed"), I("total_calls_put_on_hold"), I("total_hold_time"),
		I("total_started_transfers"), I("total_talk_time"), I("total_wrap_up_time"),
	},
})

var _ = register(&Table{
	Name:     "current_queue_activity",
	Kind:     Stats,
	Path:     "/stats/current_queue_activity",
	Envelope: "current_queue_activity",
	Single:   true,
	Key:      []string{"_synced_at"},
	Columns: []Column{
		I("current_timestamp"), I("agents_online"), I("average_wait_time"), I("callbacks_waiting"),
		I("calls_waiting"), I("embeddable_callbacks_waiting"), I("longest_wait_time"),
	},
})

// agents_activity: one row per agent per snapshot.
var _ = register(&Table{
	Name:     "agents_activity",
	Kind:     Stats,
	Path:     "/stats/agents_activity",
	Envelope: "agents_activity",
	Key:      []string{"_synced_at", "agent_id"},
	Columns: []Column{
		ID("agent_id"), S("name"), S("agent_state"), S("call_status"), S("via"), S("avatar_url"),
		S("forwarding_number"), I("available_time"), I("away_time"), I("online_time"),
		I("calls_accepted"), I("calls_denied"), I("calls_missed"), I("calls_put_on_hold"),
		I("accepted_transfers"), I("started_transfers"), I("accepted_third_party_conferences"),
		I("started_third_party_conferences"), I("average_hold_time"), I("average_talk_time"),
		I("average_wrap_up_time"), I("total_call_duration"), I("total_hold_time"),
		I("total_talk_time"), I("total_wrap_up_time"),
	},
})
