package tables

import (
	"bytes"
	"encoding/json"
	"fmt"

	"talkwarehouse/internal/jsonscan"
)

// Record is one API record as received: its complete JSON (kept in _raw so
// undocumented fields are never lost), plus, for derived tables, the fields
// it inherits from its parent (ivr_id on menus; ivr_id and ivr_menu_id on
// routes).
type Record struct {
	Raw       json.RawMessage
	Inherited map[string]json.RawMessage
}

// fields reads the record's values of t's columns, indexed like t.Columns,
// into dst (reused across records): one pass over the JSON, no copies.
func (t *Table) fields(rec Record, dst []json.RawMessage) ([]json.RawMessage, error) {
	dst = append(dst[:0], make([]json.RawMessage, len(t.Columns))...)
	err := jsonscan.EachField(rec.Raw, func(key []byte, val json.RawMessage) {
		if i, ok := t.index[string(key)]; ok {
			dst[i] = val // a repeated key keeps its last value, as encoding/json does
		}
	})
	if err != nil {
		return dst, fmt.Errorf("%s: record %w", t.Name, err)
	}
	for k, v := range rec.Inherited {
		if i, ok := t.index[k]; ok {
			dst[i] = v
		}
	}
	return dst, nil
}

// Values converts a record into the table's API columns, in column order,
// appended to dst. A field whose value has an unexpected type is stored as
// NULL (its value stays in _raw) and reported in problems, each naming the
// table, the record's id and the field (`calls: record id 8: field
// "duration": ...`); a record without its identity is an error, as it
// cannot be stored.
func (t *Table) Values(rec Record, dst []any) (_ []any, problems []error, err error) {
	var buf [64]json.RawMessage
	f, err := t.fields(rec, buf[:0])
	if err != nil {
		return dst, nil, err
	}
	for i, c := range t.Columns {
		v, cerr := c.Convert(f[i])
		if cerr != nil {
			if c.Type == IntKey || c.Type == TextKey {
				return dst, problems, fmt.Errorf("%s: %w", t.Name, cerr)
			}
			problems = append(problems, fmt.Errorf("%s: %s: %w", t.Name, t.recordName(f), cerr))
			v, _ = c.Convert(nil)
		}
		dst = append(dst, v)
	}
	return dst, problems, nil
}

// Derive returns the records of derived table t found in one record of its
// parent: the elements of the parent's Nested array, each inheriting the
// Inherit fields of the parent (a route's ivr_id comes through its menu).
func (t *Table) Derive(parent Record) ([]Record, error) {
	var nested json.RawMessage
	inherit := map[string]json.RawMessage{}
	err := jsonscan.EachField(parent.Raw, func(key []byte, val json.RawMessage) {
		if string(key) == t.Nested {
			nested = val
		}
		for child, from := range t.Inherit {
			if string(key) == from {
				inherit[child] = val
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("%s: parent record %w", t.Name, err)
	}
	for child, from := range t.Inherit {
		if v, ok := parent.Inherited[from]; ok {
			inherit[child] = v
		}
	}
	var out []Record
	err = jsonscan.EachElement(nested, func(val json.RawMessage) {
		out = append(out, Record{Raw: val, Inherited: inherit})
	})
	if err != nil {
		return nil, fmt.Errorf("%s: field %q of %s: %w", t.Name, t.Nested, t.Parent, err)
	}
	return out, nil
}

// recordName names a record by its identity column ("record id 8",
// "record agent_id 12"), or "record" when the table has none (the
// single-object statistics).
func (t *Table) recordName(fields []json.RawMessage) string {
	for i, c := range t.Columns {
		if c.Type == IntKey || c.Type == TextKey {
			if v, err := scalarText(fields[i]); err == nil && v != "" {
				return fmt.Sprintf("record %s %s", c.Name, v)
			}
		}
	}
	return "record"
}

// SameContent reports whether two records hold the same JSON value,
// whatever their key order and whitespace: both are decoded (numbers kept
// as written) and re-encoded, which sorts object keys. Invalid JSON is
// never the same as anything. OnlyChanges tables compare a fetch with the
// newest stored _raw this way.
func SameContent(a, b json.RawMessage) bool {
	ca, ok := canonical(a)
	if !ok {
		return false
	}
	cb, ok := canonical(b)
	return ok && bytes.Equal(ca, cb)
}

func canonical(raw json.RawMessage) ([]byte, bool) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil || d.More() {
		return nil, false
	}
	out, err := json.Marshal(v)
	return out, err == nil
}
