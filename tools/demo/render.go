package demo

import (
	"fmt"
	"reflect"
	"time"
)

func newOf(t reflect.Type) any { return reflect.New(t).Interface() }

// render prints a scanned value; NULL for nil pointers.
func render(v any) string {
	rv := reflect.ValueOf(v).Elem()
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return "NULL"
		}
		rv = rv.Elem()
	}
	if t, ok := rv.Interface().(time.Time); ok {
		if u := t.UTC(); u.Hour() == 0 && u.Minute() == 0 && u.Second() == 0 {
			return u.Format("2006-01-02") // a Date column
		}
		return t.UTC().Format("2006-01-02 15:04")
	}
	return fmt.Sprint(rv.Interface())
}
