package talksim

import (
	"strconv"
	"time"
)

// Append-based JSON helpers. Export pages hold up to 1000 records of ~50
// fields each; going through encoding/json and maps would cost far more than
// the 10 ms budget per page, so records are written straight into a []byte.

const hexDigits = "0123456789abcdef"

// appendStr writes s as a JSON string literal.
func appendStr(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\t':
			b = append(b, '\\', 't')
		case '\r':
			b = append(b, '\\', 'r')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendTS writes a Zendesk timestamp ("2024-01-01T00:00:00Z", UTC, seconds).
func appendTS(b []byte, unix int64) []byte {
	t := time.Unix(unix, 0).UTC()
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	b = append(b, '"')
	b = append4(b, y)
	b = append(b, '-')
	b = append2(b, int(mo))
	b = append(b, '-')
	b = append2(b, d)
	b = append(b, 'T')
	b = append2(b, h)
	b = append(b, ':')
	b = append2(b, mi)
	b = append(b, ':')
	b = append2(b, s)
	return append(b, 'Z', '"')
}

func append2(b []byte, v int) []byte { return append(b, byte('0'+v/10), byte('0'+v%10)) }

func append4(b []byte, v int) []byte {
	return append(b, byte('0'+v/1000%10), byte('0'+v/100%10), byte('0'+v/10%10), byte('0'+v%10))
}

// appendDecimal writes micros/1e6 as a JSON *string* with trailing zeros
// trimmed but at least one decimal ("0.003", "0.0255", "0.0"), the way
// Talk reports call_charge.
func appendDecimal(b []byte, micros int64) []byte {
	b = append(b, '"')
	b = strconv.AppendInt(b, micros/1000000, 10)
	frac := micros % 1000000
	b = append(b, '.')
	if frac == 0 {
		b = append(b, '0')
		return append(b, '"')
	}
	var digits [6]byte
	for i := 5; i >= 0; i-- {
		digits[i] = byte('0' + frac%10)
		frac /= 10
	}
	n := 6
	for n > 1 && digits[n-1] == '0' {
		n--
	}
	b = append(b, digits[:n]...)
	return append(b, '"')
}

// obj writes one JSON object field by field. The null mask lets a record
// turn any nullable field into null deterministically: the real API returns
// null for nearly every field at some point, and clients must cope.
type obj struct {
	b     []byte
	mask  uint64 // bit i set: the i-th nullable field is null
	n     uint   // nullable fields written so far
	first bool
}

func newObj(b []byte, mask uint64) obj {
	return obj{b: append(b, '{'), mask: mask, first: true}
}

func (o *obj) end() []byte { return append(o.b, '}') }

// key writes the key of a field that is never masked (ids, timestamps).
func (o *obj) key(k string) {
	if !o.first {
		o.b = append(o.b, ',')
	}
	o.first = false
	o.b = append(o.b, '"')
	o.b = append(o.b, k...)
	o.b = append(o.b, '"', ':')
}

// nkey writes the key of a nullable field; it reports false (and writes
// null) when the mask nulls it.
func (o *obj) nkey(k string) bool {
	o.key(k)
	bit := o.n % 64
	o.n++
	if o.mask&(1<<bit) != 0 {
		o.b = append(o.b, "null"...)
		return false
	}
	return true
}

func (o *obj) null(k string) {
	o.key(k)
	o.n++
	o.b = append(o.b, "null"...)
}

func (o *obj) int(k string, v int64) {
	if o.nkey(k) {
		o.b = strconv.AppendInt(o.b, v, 10)
	}
}

// intOrNull writes v, or null when ok is false (a field that is null by
// meaning, e.g. agent_id of an abandoned call).
func (o *obj) intOrNull(k string, v int64, ok bool) {
	if !ok {
		o.null(k)
		return
	}
	o.int(k, v)
}

func (o *obj) str(k string, v string) {
	if o.nkey(k) {
		o.b = appendStr(o.b, v)
	}
}

func (o *obj) strOrNull(k string, v string, ok bool) {
	if !ok {
		o.null(k)
		return
	}
	o.str(k, v)
}

func (o *obj) bool(k string, v bool) {
	if o.nkey(k) {
		o.b = strconv.AppendBool(o.b, v)
	}
}

func (o *obj) ts(k string, unix int64) {
	o.key(k)
	o.b = appendTS(o.b, unix)
}

func (o *obj) decimal(k string, micros int64, ok bool) {
	if !ok {
		o.null(k)
		return
	}
	if o.nkey(k) {
		o.b = appendDecimal(o.b, micros)
	}
}

func (o *obj) strs(k string, v []string) {
	if !o.nkey(k) {
		return
	}
	o.b = append(o.b, '[')
	for i, s := range v {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		o.b = appendStr(o.b, s)
	}
	o.b = append(o.b, ']')
}

func (o *obj) ints(k string, v []int64) {
	if !o.nkey(k) {
		return
	}
	o.b = appendInts(o.b, v)
}

func appendInts(b []byte, v []int64) []byte {
	b = append(b, '[')
	for i, x := range v {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, x, 10)
	}
	return append(b, ']')
}

// raw writes an already encoded JSON value.
func (o *obj) raw(k string, v []byte) {
	if o.nkey(k) {
		o.b = append(o.b, v...)
	}
}
