package restli

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Encode returns the Rest.li 2.0 URL encoding of v, as LinkedIn's Python
// client writes it (docs/linkedin-api.md §3.2; https://github.com/linkedin-developers/linkedin-api-python-client):
//
//   - nil is "" and a top-level "" is "" (as in Python);
//   - strings are percent-encoded except A-Za-z0-9-._~ (Python's
//     quote(s, safe="")); inside a list or record an empty string is
//     EmptyString (the Rest.li 2.0 spelling, also used by LinkedIn's JS
//     client), so that a list holding "" and an empty list stay distinct;
//   - bools are true/false, numbers their decimal form;
//   - map[string]any, map[string]string and other string-keyed maps are
//     (k:v,...) with keys sorted, as Python does; a Key keeps its order;
//   - []any, []string and other slices are List(...).
//
// Other values are formatted with fmt.Sprint and escaped as strings.
func Encode(v any) string {
	if s, ok := v.(string); ok && s == "" {
		return ""
	}
	var b strings.Builder
	encodeAny(&b, v, esc2)
	return b.String()
}

// ReducedEncode is Encode's "reduced" variant for headers and bodies, as in
// LinkedIn's JavaScript client (docs/linkedin-api.md §3.2): strings are
// written raw except for the 2.0 syntax characters , ( ) ' : which become
// %2C %28 %29 %27 %3A. '%' itself is not escaped, as upstream, so a string
// that already contains one of those escapes does not survive a round trip.
// The empty string is EmptyString.
func ReducedEncode(v any) string {
	var b strings.Builder
	encodeAny(&b, v, escReduced)
	return b.String()
}

// ParamEncode returns a query string for params, ported from the Python
// client's param_encode: parameter names sorted and escaped like strings,
// values encoded with Encode. A nil or empty map gives "".
func ParamEncode(params map[string]any) string {
	var b strings.Builder
	for i, name := range slices.Sorted(maps.Keys(params)) {
		if i > 0 {
			b.WriteByte('&')
		}
		esc2.write(&b, name)
		b.WriteByte('=')
		v := params[name]
		if s, ok := v.(string); ok && s == "" {
			continue
		}
		encodeAny(&b, v, esc2)
	}
	return b.String()
}

func encodeAny(b *strings.Builder, v any, e *escaper) {
	switch v := v.(type) {
	case nil:
	case string:
		write2(b, e, v)
	case bool:
		if v {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case int:
		b.WriteString(strconv.Itoa(v))
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	case int32:
		b.WriteString(strconv.FormatInt(int64(v), 10))
	case uint64:
		b.WriteString(strconv.FormatUint(v, 10))
	case float64:
		b.WriteString(strconv.FormatFloat(v, 'f', -1, 64))
	case float32:
		b.WriteString(strconv.FormatFloat(float64(v), 'f', -1, 32))
	case json.Number:
		write2(b, e, string(v))
	case Key:
		writeRecord(b, len(v), func(i int) {
			write2(b, e, v[i].Name)
			b.WriteByte(':')
			write2(b, e, v[i].Value)
		})
	case []any:
		writeList(b, len(v), func(i int) { encodeAny(b, v[i], e) })
	case []string:
		writeList(b, len(v), func(i int) { write2(b, e, v[i]) })
	case map[string]any:
		keys := slices.Sorted(maps.Keys(v))
		writeRecord(b, len(keys), func(i int) {
			write2(b, e, keys[i])
			b.WriteByte(':')
			encodeAny(b, v[keys[i]], e)
		})
	case map[string]string:
		keys := slices.Sorted(maps.Keys(v))
		writeRecord(b, len(keys), func(i int) {
			write2(b, e, keys[i])
			b.WriteByte(':')
			write2(b, e, v[keys[i]])
		})
	default:
		encodeReflect(b, reflect.ValueOf(v), e)
	}
}

// encodeReflect handles the remaining kinds: other integers, slices, arrays,
// string-keyed maps and pointers.
func encodeReflect(b *strings.Builder, rv reflect.Value, e *escaper) {
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return
		}
		encodeAny(b, rv.Elem().Interface(), e)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		b.WriteString(strconv.FormatInt(rv.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		b.WriteString(strconv.FormatUint(rv.Uint(), 10))
	case reflect.String:
		write2(b, e, rv.String())
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			b.WriteString(listPrefix + ")")
			return
		}
		writeList(b, rv.Len(), func(i int) { encodeAny(b, rv.Index(i).Interface(), e) })
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			write2(b, e, fmt.Sprint(rv.Interface()))
			return
		}
		keys := rv.MapKeys()
		slices.SortFunc(keys, func(x, y reflect.Value) int { return strings.Compare(x.String(), y.String()) })
		writeRecord(b, len(keys), func(i int) {
			write2(b, e, keys[i].String())
			b.WriteByte(':')
			encodeAny(b, rv.MapIndex(keys[i]).Interface(), e)
		})
	default:
		write2(b, e, fmt.Sprint(rv.Interface()))
	}
}

// writeList writes List(e0,e1,...), calling elem(i) to write element i.
func writeList(b *strings.Builder, n int, elem func(i int)) {
	b.WriteString(listPrefix)
	writeElems(b, n, elem)
}

// writeRecord writes (f0,f1,...), calling field(i) to write "name:value" i.
func writeRecord(b *strings.Builder, n int, field func(i int)) {
	b.WriteByte('(')
	writeElems(b, n, field)
}

// writeElems writes n comma-separated elements and the closing ')'.
func writeElems(b *strings.Builder, n int, elem func(i int)) {
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		elem(i)
	}
	b.WriteByte(')')
}

// Decode parses a Rest.li 2.0 URL-encoded value, the inverse of Encode, as
// LinkedIn's Python client decodes it (docs/linkedin-api.md §3.2): "(a:b)"
// gives map[string]any, "List(a,b)" gives []any, anything else a
// percent-decoded string (EmptyString is the empty string; '+' stays a
// plus). All scalars come back as strings. Unbalanced brackets, a field
// without ':' and malformed %-escapes are errors.
func Decode(s string) (any, error) {
	return decodeValue(s, false)
}

// ReducedDecode parses a reduced-encoded value (x-restli-id headers, body
// map keys), as the Python client's reduced_decode: only %28 %29 %2C %3A
// %27 are decoded, any other '%' sequence is kept as is.
func ReducedDecode(s string) (any, error) {
	return decodeValue(s, true)
}
