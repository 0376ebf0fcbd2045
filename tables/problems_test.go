package tables

import (
	"encoding/json"
	"testing"
)

// A value of an unexpected type names the table, the record's id and the
// field, so that a person can find the record in _raw.
func TestUnexpectedTypeNamesTableRecordAndField(t *testing.T) {
	for _, c := range []struct {
		table, raw, want string
	}{
		{"calls", `{"id":8,"duration":"oops"}`, `calls: record id 8: field "duration": not an integer: "oops"`},
		{"greetings", `{"id":"voicemail_en","active":"maybe"}`, `greetings: record id voicemail_en: field "active": not a boolean: "maybe"`},
		{"agents_activity", `{"agent_id":12,"calls_accepted":[1]}`, `agents_activity: record agent_id 12: field "calls_accepted": not an integer: [1]`},
		{"account_overview", `{"total_calls":{"a":1}}`, `account_overview: record: field "total_calls": not an integer: {"a":1}`},
	} {
		_, problems, err := MustGet(c.table).Values(Record{Raw: json.RawMessage(c.raw)}, nil)
		if err != nil {
			t.Fatalf("%s: %v", c.table, err)
		}
		if len(problems) != 1 || problems[0].Error() != c.want {
			t.Errorf("%s: problems %v, want %q", c.table, problems, c.want)
		}
	}
}
