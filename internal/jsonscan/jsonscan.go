// Package jsonscan reads JSON objects and arrays in one pass: it hands out
// each top-level field's value (or array element) as a sub-slice of the
// input, without copying and without a map per record. The client checks
// pages with json.Valid when they arrive, so this only has to find
// boundaries; it still refuses what is not an object or array. It replaces
// encoding/json's map decoding on the hot path (a page of 1000 calls), where
// that decoding was half of a sync's CPU.
package jsonscan

import (
	"encoding/json"
	"errors"
)

var errNotObject = errors.New("not a JSON object")

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// skipString returns the index after the string starting at b[i] == '"'.
func skipString(b []byte, i int) (int, error) {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1, nil
		}
	}
	return 0, errNotObject
}

// SkipValue returns the index after the JSON value starting at b[i].
func SkipValue(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, errNotObject
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				j, err := skipString(b, i)
				if err != nil {
					return 0, err
				}
				i = j - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, nil
				}
			}
		}
		return 0, errNotObject
	default:
		j := i
		for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && !isSpace(b[j]) {
			j++
		}
		if j == i {
			return 0, errNotObject
		}
		return j, nil
	}
}

// EachField calls fn with every top-level key and raw value of a JSON
// object. Keys with escapes (rare) are unquoted. The key is only valid
// during the call: compare it with string(key), which does not allocate.
func EachField(b []byte, fn func(key []byte, val json.RawMessage)) error {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return errNotObject
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return errNotObject
		}
		end, err := skipString(b, i)
		if err != nil {
			return err
		}
		key := b[i+1 : end-1]
		if containsByte(key, '\\') {
			var k string
			if err := json.Unmarshal(b[i:end], &k); err != nil {
				return errNotObject
			}
			key = []byte(k)
		}
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return errNotObject
		}
		i = skipSpace(b, i+1)
		vend, err := SkipValue(b, i)
		if err != nil {
			return err
		}
		fn(key, b[i:vend])
		i = skipSpace(b, vend)
		if i >= len(b) {
			return errNotObject
		}
		if b[i] == '}' {
			return nil
		}
		if b[i] != ',' {
			return errNotObject
		}
		i = skipSpace(b, i+1)
	}
}

// EachElement calls fn with every element of a JSON array (null: none).
func EachElement(b []byte, fn func(val json.RawMessage)) error {
	i := skipSpace(b, 0)
	if i >= len(b) || string(b[i:min(i+4, len(b))]) == "null" {
		return nil
	}
	if b[i] != '[' {
		return errors.New("not a JSON array")
	}
	i = skipSpace(b, i+1)
	for i < len(b) && b[i] != ']' {
		j, err := SkipValue(b, i)
		if err != nil {
			return err
		}
		fn(b[i:j])
		i = skipSpace(b, j)
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
		}
	}
	if i >= len(b) {
		return errors.New("JSON array not closed")
	}
	return nil
}

func containsByte(b []byte, c byte) bool {
	for _, x := range b {
		if x == c {
			return true
		}
	}
	return false
}
