package activities_test

import (
	"strings"
	"testing"
	"time"

	"talkwarehouse/talksim"
	"talkwarehouse/zendesk"
)

// voice_settings is a change log: a sync whose settings equal the newest
// stored row adds none (and says so), a change adds one, a change back adds
// another; a 403 skips the table with the reason.
func TestVoiceSettingsStoresARowPerChange(t *testing.T) {
	cfg := talksim.DefaultConfig()
	f := newFixture(t, cfg, zendesk.Options{})
	env := f.env()
	rows := func() uint64 { return f.count(t, "SELECT count() FROM voice_settings FINAL") }

	if res := f.sync(t, env, "voice_settings"); res.Tables[0].Rows != 1 || res.Tables[0].Skipped {
		t.Fatalf("first sync: %+v", res.Tables[0])
	}
	if n := rows(); n != 1 {
		t.Fatalf("after the first sync: %d rows", n)
	}
	time.Sleep(1100 * time.Millisecond) // _synced_at has whole seconds
	res := f.sync(t, env, "voice_settings")
	if res.Tables[0].Rows != 0 || rows() != 1 {
		t.Fatalf("unchanged settings: result rows %d, %d rows stored, want 0 and 1", res.Tables[0].Rows, rows())
	}
	if !strings.Contains(strings.Join(res.Tables[0].Notes, " "), "unchanged") {
		t.Errorf("no note that the settings are unchanged: %+v", res.Tables[0])
	}

	f.sim.SetSettingsRevision(1)
	time.Sleep(1100 * time.Millisecond)
	if res := f.sync(t, env, "voice_settings"); res.Tables[0].Rows != 1 || rows() != 2 {
		t.Fatalf("changed settings: result rows %d, %d rows stored, want 1 and 2", res.Tables[0].Rows, rows())
	}
	if n := f.count(t, "SELECT count() FROM voice_settings_current WHERE _raw LIKE '%maximum_queue_size%'"); n != 1 {
		t.Errorf("voice_settings_current: %d rows", n)
	}
	var current, latest string
	if err := f.wh.Conn().QueryRow(t.Context(), "SELECT _raw FROM voice_settings_current").Scan(&current); err != nil {
		t.Fatal(err)
	}
	if err := f.wh.Conn().QueryRow(t.Context(), "SELECT argMax(_raw, _synced_at) FROM voice_settings").Scan(&latest); err != nil {
		t.Fatal(err)
	}
	if current != latest {
		t.Errorf("voice_settings_current is not the newest row:\n%s\n%s", current, latest)
	}

	// Back to the first settings: a change too, so a third row.
	f.sim.SetSettingsRevision(0)
	time.Sleep(1100 * time.Millisecond)
	if res := f.sync(t, env, "voice_settings"); res.Tables[0].Rows != 1 || rows() != 3 {
		t.Fatalf("settings changed back: result rows %d, %d rows stored, want 1 and 3", res.Tables[0].Rows, rows())
	}
	if n := f.count(t, "SELECT uniqExact(maximum_queue_size) FROM voice_settings"); n != 2 {
		t.Errorf("%d distinct maximum_queue_size, want 2", n)
	}

	// A plan without access: 403 skips the table with the reason.
	cfg.Forbidden = []string{"/settings"}
	g := newFixture(t, cfg, zendesk.Options{})
	res = g.sync(t, g.env(), "voice_settings")
	if tr := res.Tables[0]; !tr.Skipped || !strings.Contains(tr.Reason, "403") || tr.Rows != 0 {
		t.Errorf("403: %+v, want skipped with the reason", tr)
	}
	if n := g.count(t, "SELECT count() FROM voice_settings"); n != 0 {
		t.Errorf("403: %d rows stored", n)
	}
}
