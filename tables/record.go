package tables

import (
	"encoding/json"
	"fmt"
)

// Record is one API record as received: its complete JSON (kept in _raw so
// undocumented fields are never lost) and its top-level fields.
type Record struct {
	Raw    json.RawMessage
	Fields map[string]json.RawMessage
}

// ParseRecord splits a record's JSON into its top-level fields.
func ParseRecord(raw json.RawMessage) (Record, error) {
	var f map[string]json.RawMessage
	if err := json.Unmarshal(raw, &f); err != nil {
		return Record{}, fmt.Errorf("record is not a JSON object: %w", err)
	}
	return Record{Raw: raw, Fields: f}, nil
}

// Values converts a record into the table's API columns, in column order,
// appended to dst. A field whose value has an unexpected type is stored as
// NULL (its value stays in _raw) and reported in problems; a record without
// its identity is an error, as it cannot be stored.
func (t *Table) Values(rec Record, dst []any) (_ []any, problems []error, err error) {
	for _, c := range t.Columns {
		v, cerr := c.Convert(rec.Fields[c.Name])
		if cerr != nil {
			if c.Type == IntKey || c.Type == TextKey {
				return dst, problems, fmt.Errorf("%s: %w", t.Name, cerr)
			}
			problems = append(problems, fmt.Errorf("%s: %w", t.Name, cerr))
			v, _ = c.Convert(nil)
		}
		dst = append(dst, v)
	}
	return dst, problems, nil
}

// Derive returns the records of derived table t found in one record of its
// parent: the elements of the parent's Nested array, each given the
// Inherit fields of the parent (ivr_id on menus; ivr_id and ivr_menu_id on
// routes).
func (t *Table) Derive(parent Record) ([]Record, error) {
	raw := parent.Fields[t.Nested]
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fmt.Errorf("%s: field %q of %s is not an array: %w", t.Name, t.Nested, t.Parent, err)
	}
	out := make([]Record, 0, len(items))
	for _, it := range items {
		rec, err := ParseRecord(it)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", t.Name, err)
		}
		for child, from := range t.Inherit {
			rec.Fields[child] = parent.Fields[from]
		}
		out = append(out, rec)
	}
	return out, nil
}
