package jsonscan

import (
	"bytes"
	"encoding/json"
	"testing"
)

func fields(t *testing.T, s string) (map[string]string, error) {
	t.Helper()
	out := map[string]string{}
	err := EachField([]byte(s), func(k []byte, v json.RawMessage) { out[string(k)] = string(v) })
	return out, err
}

// EachField agrees with encoding/json on tricky objects.
func TestEachFieldAgreesWithEncodingJSON(t *testing.T) {
	for _, s := range []string{
		`{}`, ` { } `,
		`{"a":1,"b":"x","c":null,"d":true,"e":-1.5e3}`,
		`{"s":"a \"quoted\" } ] , { [ string","n":{"x":[1,{"y":"}"}]},"arr":[[],[{}],"]"]}`,
		`{"esc\u0061ped":1,"b\\":2}`,
		"{\n \"a\" :\t[ 1 , 2 ] ,\r\n\"b\":{ }\n}",
		`{"dup":1,"dup":2}`,
		`{"u":"\u00e9\u4e2d\ud83d\ude00"}`,
	} {
		got, err := fields(t, s)
		if err != nil {
			t.Errorf("%s: %v", s, err)
			continue
		}
		var want map[string]json.RawMessage
		if err := json.Unmarshal([]byte(s), &want); err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d fields, encoding/json %d", s, len(got), len(want))
		}
		for k, v := range want {
			var a, b any
			json.Unmarshal(v, &a)
			json.Unmarshal([]byte(got[k]), &b)
			ja, _ := json.Marshal(a)
			jb, _ := json.Marshal(b)
			if !bytes.Equal(ja, jb) {
				t.Errorf("%s: field %q = %s, encoding/json %s", s, k, got[k], v)
			}
		}
	}
}

func TestEachFieldRefusesNonObjects(t *testing.T) {
	for _, s := range []string{``, `[]`, `"x"`, `{"a":1`, `{"a" 1}`, `{"a":1,}`, `{a:1}`, `{"a":"unterminated}`, `{"a":[1,2}`} {
		if _, err := fields(t, s); err == nil {
			t.Errorf("%q: no error", s)
		}
	}
}

func TestEachElement(t *testing.T) {
	var got []string
	err := EachElement([]byte(` [ {"a":[1,2]} , "x,]" ,3,null ] `), func(v json.RawMessage) { got = append(got, string(v)) })
	if err != nil || len(got) != 4 || got[0] != `{"a":[1,2]}` || got[1] != `"x,]"` || got[3] != "null" {
		t.Fatalf("%q %v", got, err)
	}
	for _, s := range []string{"null", "", " null "} {
		n := 0
		if err := EachElement([]byte(s), func(json.RawMessage) { n++ }); err != nil || n != 0 {
			t.Errorf("%q: %d elements, %v", s, n, err)
		}
	}
	if err := EachElement([]byte(`{"a":1}`), func(json.RawMessage) {}); err == nil {
		t.Error("an object is not an array")
	}
	if err := EachElement([]byte(`[1,2`), func(json.RawMessage) {}); err == nil {
		t.Error("unclosed array accepted")
	}
}

func FuzzEachField(f *testing.F) {
	f.Add(`{"a":{"b":["c",1]},"d":"e\"f"}`)
	f.Fuzz(func(t *testing.T, s string) {
		var want map[string]json.RawMessage
		if json.Unmarshal([]byte(s), &want) != nil || want == nil {
			return
		}
		got, err := fields(t, s)
		if err != nil {
			t.Fatalf("%q: valid object refused: %v", s, err)
		}
		if len(got) != len(want) {
			t.Fatalf("%q: %d fields, want %d", s, len(got), len(want))
		}
	})
}
