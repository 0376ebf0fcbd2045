package tables

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// Type is a column's warehouse type and the rule that turns the API's JSON
// value into the Go value the ClickHouse driver expects.
type Type int

const (
	Int      Type = iota // Nullable(Int64)
	Float                // Nullable(Float64)
	Bool                 // Nullable(UInt8): 18.16 has no Bool
	Text                 // Nullable(String)
	Time                 // Nullable(DateTime), from "2006-01-02T15:04:05Z"
	Decimal              // Nullable(Decimal(18, 6)), from "0.003"-style strings
	TextList             // Array(String): quality_issues, id lists (ids may be strings or numbers)
	Object               // Nullable(String) holding the value's compact JSON
	IntKey               // Int64, never null: an entity's identity
	TextKey              // String, never null: an identity that may be a string ("voicemail_en")
)

// SQL is the ClickHouse type, spelled as system.columns reports it.
func (t Type) SQL() string {
	switch t {
	case Int:
		return "Nullable(Int64)"
	case Float:
		return "Nullable(Float64)"
	case Bool:
		return "Nullable(UInt8)"
	case Text, Object:
		return "Nullable(String)"
	case Time:
		return "Nullable(DateTime)"
	case Decimal:
		return "Nullable(Decimal(18, 6))"
	case TextList:
		return "Array(String)"
	case IntKey:
		return "Int64"
	case TextKey:
		return "String"
	}
	panic(fmt.Sprintf("tables: unknown type %d", int(t)))
}

// Column is one API field kept as a typed warehouse column of the same name.
// Doc is its meaning in one line (from Zendesk's API reference where the
// field is documented; units in brackets), shown in docs/tables.md; a test
// fails when a column has none.
type Column struct {
	Name string
	Type Type
	Doc  string
}

// Short constructors keep the table files readable as data: the field's
// name, then its meaning.
func I(name, doc string) Column   { return Column{name, Int, doc} }
func F(name, doc string) Column   { return Column{name, Float, doc} }
func B(name, doc string) Column   { return Column{name, Bool, doc} }
func S(name, doc string) Column   { return Column{name, Text, doc} }
func T(name, doc string) Column   { return Column{name, Time, doc} }
func D(name, doc string) Column   { return Column{name, Decimal, doc} }
func L(name, doc string) Column   { return Column{name, TextList, doc} }
func O(name, doc string) Column   { return Column{name, Object, doc} }
func ID(name, doc string) Column  { return Column{name, IntKey, doc} }
func SID(name, doc string) Column { return Column{name, TextKey, doc} }

var null = []byte("null")

// Convert turns a raw JSON value (nil when the field is absent) into the
// driver value for the column. A value of an unexpected JSON type is an
// error: callers keep the record's raw JSON, so nothing is lost, and the
// error names the field.
func (c Column) Convert(raw json.RawMessage) (any, error) {
	raw = bytes.TrimSpace(raw)
	isNull := len(raw) == 0 || bytes.Equal(raw, null)
	switch c.Type {
	case Int, IntKey:
		if isNull {
			if c.Type == IntKey {
				return nil, fmt.Errorf("field %q: missing identity", c.Name)
			}
			return (*int64)(nil), nil
		}
		n, err := parseInt(raw)
		if err != nil {
			return nil, fmt.Errorf("field %q: %w", c.Name, err)
		}
		if c.Type == IntKey {
			return n, nil
		}
		return &n, nil
	case Float:
		if isNull {
			return (*float64)(nil), nil
		}
		f, err := strconv.ParseFloat(string(unquote(raw)), 64)
		if err != nil {
			return nil, fmt.Errorf("field %q: not a number: %s", c.Name, clip(raw))
		}
		return &f, nil
	case Bool:
		if isNull {
			return (*uint8)(nil), nil
		}
		var v uint8
		switch string(raw) {
		case "true", "1":
			v = 1
		case "false", "0":
			v = 0
		default:
			return nil, fmt.Errorf("field %q: not a boolean: %s", c.Name, clip(raw))
		}
		return &v, nil
	case Text:
		if isNull {
			return (*string)(nil), nil
		}
		s, err := scalarText(raw)
		if err != nil {
			return nil, fmt.Errorf("field %q: %w", c.Name, err)
		}
		return &s, nil
	case TextKey:
		if isNull {
			return nil, fmt.Errorf("field %q: missing identity", c.Name)
		}
		s, err := scalarText(raw)
		if err != nil {
			return nil, fmt.Errorf("field %q: %w", c.Name, err)
		}
		return s, nil
	case Time:
		if isNull {
			return (*time.Time)(nil), nil
		}
		if raw[0] != '"' {
			return nil, fmt.Errorf("field %q: not a timestamp: %s", c.Name, clip(raw))
		}
		s, err := scalarText(raw)
		if err != nil {
			return nil, fmt.Errorf("field %q: not a timestamp: %s", c.Name, clip(raw))
		}
		if s == "" {
			return (*time.Time)(nil), nil
		}
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return nil, fmt.Errorf("field %q: not an RFC 3339 timestamp: %q", c.Name, s)
		}
		t = t.UTC()
		return &t, nil
	case Decimal:
		if isNull {
			return (*decimal.Decimal)(nil), nil
		}
		s := string(unquote(raw))
		if s == "" {
			return (*decimal.Decimal)(nil), nil
		}
		d, err := decimal.NewFromString(s)
		if err != nil {
			return nil, fmt.Errorf("field %q: not a decimal: %s", c.Name, clip(raw))
		}
		return &d, nil
	case TextList:
		if isNull {
			return []string{}, nil
		}
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, fmt.Errorf("field %q: not an array: %s", c.Name, clip(raw))
		}
		out := make([]string, 0, len(items))
		for _, it := range items {
			s, err := scalarText(it)
			if err != nil {
				// An element that is itself an object is kept as its JSON.
				s = compact(it)
			}
			out = append(out, s)
		}
		return out, nil
	case Object:
		if isNull {
			return (*string)(nil), nil
		}
		s := compact(raw)
		return &s, nil
	}
	return nil, fmt.Errorf("field %q: unknown column type", c.Name)
}

// parseInt accepts JSON integers, integral floats ("12.0") and numeric
// strings ("12"), which the API has been seen to send for ids.
func parseInt(raw []byte) (int64, error) {
	s := string(unquote(raw))
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == float64(int64(f)) {
		return int64(f), nil
	}
	return 0, fmt.Errorf("not an integer: %s", clip(raw))
}

// scalarText renders a JSON string, number or boolean as text.
func scalarText(raw []byte) (string, error) {
	// Most strings have no escapes: take them as they are (encoding/json
	// here was a sixth of a sync's CPU).
	if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' && !bytes.ContainsAny(raw[1:len(raw)-1], "\\\"") && utf8.Valid(raw) {
		return string(raw[1 : len(raw)-1]), nil
	}
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", fmt.Errorf("bad string: %s", clip(raw))
		}
		return s, nil
	}
	if len(raw) > 0 && (raw[0] == '{' || raw[0] == '[') {
		return "", fmt.Errorf("expected a scalar, got %s", clip(raw))
	}
	return string(raw), nil
}

func unquote(raw []byte) []byte {
	if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' {
		return raw[1 : len(raw)-1]
	}
	return raw
}

func compact(raw []byte) string {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return string(raw)
	}
	return b.String()
}

func clip(raw []byte) string {
	s := string(raw)
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return strings.ToValidUTF8(s, "?")
}
