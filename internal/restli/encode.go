package restli

import (
	"strconv"
	"strings"
)

// EncodeBatchIDs returns the ids query fragment for a batch of compound keys
// (no leading '?' or '&'), keeping each key's field order:
//
//	Protocol1: ids[0].a=x&ids[0].b=y&ids[1].a=...   (values escaped only where a query needs it: URN colons stay raw)
//	Protocol2: ids=List((a:x,b:y),(a:...))          (values 2.0-escaped, EmptyString for an empty value)
//
// It returns "" for an empty batch. Pass keys through Key.Sorted first to
// get the byte-exact form LinkedIn's Python client sends.
func EncodeBatchIDs(p Protocol, keys []Key) string {
	if len(keys) == 0 {
		return ""
	}
	var b strings.Builder
	if p == Protocol2 {
		n := len("ids=") + len(listPrefix) + len(keys) // commas and ')'
		for _, k := range keys {
			n += key2Len(k)
		}
		b.Grow(n)
		b.WriteString("ids=")
		writeList(&b, len(keys), func(i int) { writeKey2(&b, keys[i]) })
		return b.String()
	}
	n := 0
	for i, k := range keys {
		prefix := len("ids[].") + digits(i)
		for _, f := range k {
			n += prefix + esc1Query.escapedLen(f.Name) + 1 + esc1Query.escapedLen(f.Value) + 1
		}
	}
	b.Grow(n)
	var num [24]byte
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		prefix := append(strconv.AppendInt(append(num[:0], "ids["...), int64(i), 10), "]."...)
		writeKey1(&b, esc1Query, prefix, k)
	}
	return b.String()
}

func digits(i int) int {
	n := 1
	for i >= 10 {
		i /= 10
		n++
	}
	return n
}

// EncodeSimpleIDs returns the ids query fragment for simple keys (note,
// stage or configuration ids, task URNs):
//
//	Protocol1: ids=a&ids=b       (escaped like Protocol1 ids values, plus '(' and ')')
//	Protocol2: ids=List(a,b)     (2.0-escaped, EmptyString for an empty id)
//
// It returns "" when ids is empty.
func EncodeSimpleIDs(p Protocol, ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	var b strings.Builder
	if p == Protocol2 {
		n := len("ids=") + len(listPrefix) + len(ids)
		for _, id := range ids {
			n += len2(esc2, id)
		}
		b.Grow(n)
		b.WriteString("ids=")
		writeList(&b, len(ids), func(i int) { write2(&b, esc2, ids[i]) })
		return b.String()
	}
	n := 0
	for _, id := range ids {
		n += len("&ids=") + esc1Simple.escapedLen(id)
	}
	b.Grow(n)
	for i, id := range ids {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString("ids=")
		esc1Simple.write(&b, id)
	}
	return b.String()
}

// EncodeParam returns one query parameter name=value (no leading '&').
// Protocol1 escapes name and value only where a query needs it (& = + %
// # ? ; [ ] space, non-ASCII, control characters), so URNs stay readable;
// Protocol2 escapes both as LinkedIn's Python client does for a string
// (quote(s, safe="")). The "fields" projection is the exception: it keeps
// its 1.0 form (a,b:(c)) under both protocols, as the Python client does.
//
// To send a structured 2.0 value (a record or list), write
// name + "=" + Encode(v) instead, or use ParamEncode.
func EncodeParam(p Protocol, name, value string) string {
	ne, ve := esc1Query, esc1Query
	if p == Protocol2 {
		ne = esc2
		if name != "fields" {
			ve = esc2
		}
	}
	var b strings.Builder
	b.Grow(ne.escapedLen(name) + 1 + ve.escapedLen(value))
	ne.write(&b, name)
	b.WriteByte('=')
	ve.write(&b, value)
	return b.String()
}

// EncodeKeyPath returns a compound key as one path segment:
//
//	Protocol1: a=x&b=y   literal, as Postman sends it; only what breaks the
//	                     segment or the key is escaped (& = % + / ? # ; space,
//	                     non-ASCII, control and other URL-unsafe characters)
//	Protocol2: (a:x,b:y) values 2.0-escaped, structure literal, as LinkedIn's
//	                     Python client builds path keys
//
// Use the result as URL.RawPath material; do not let net/url re-escape it.
func EncodeKeyPath(p Protocol, k Key) string {
	if p == Protocol2 {
		return encodeKey2(k)
	}
	return encodeKey1(esc1Path, k)
}

// EncodeKeyBody returns a compound key as a JSON map key in a batch body
// ({"entities": {key: ...}}):
//
//	Protocol1: a=x&b=y   raw but for % & = + and what java.net.URI refuses
//	                     in a query (controls, space, " # < > \ ^ ` { | },
//	                     DEL and non-ASCII bytes): a 1.0 server parses the
//	                     key as a URI query and form-decodes it
//	Protocol2: (a:x,b:y) the same text as EncodeKeyPath (the Python client's form)
func EncodeKeyBody(p Protocol, k Key) string {
	if p == Protocol2 {
		return encodeKey2(k)
	}
	return encodeKey1(esc1Body, k)
}

// EncodeKeyBodies sets out[i] to EncodeKeyBody(p, keys[i]) for every key,
// the results sharing one allocation: a batch's body keys cost two
// allocations, not one per key. out must be as long as keys.
func EncodeKeyBodies(p Protocol, keys []Key, out []string) {
	n := 0
	for _, k := range keys {
		if p == Protocol2 {
			n += key2Len(k)
		} else {
			n += key1Len(esc1Body, k)
		}
	}
	var b strings.Builder
	b.Grow(n)
	ends := make([]int, len(keys))
	for i, k := range keys {
		if p == Protocol2 {
			writeKey2(&b, k)
		} else {
			writeKey1(&b, esc1Body, nil, k)
		}
		ends[i] = b.Len()
	}
	all, start := b.String(), 0
	for i, end := range ends {
		out[i], start = all[start:end], end
	}
}

// EncodeSimpleKeyPath returns a simple key (a URN, a note id) as one path
// segment. Protocol2 fully percent-encodes it, parentheses and colons
// included, as LinkedIn's protocol docs require for a single key in a path
// (an empty id becomes EmptyString). Protocol1 escapes it like an EncodeKeyPath
// value, so URNs stay readable.
func EncodeSimpleKeyPath(p Protocol, id string) string {
	if p == Protocol2 {
		if id == "" {
			return EmptyString
		}
		return esc2.escape(id)
	}
	if id == EmptyString {
		return "%27%27" // keep it distinct from the 2.0 empty string
	}
	return esc1Path.escape(id)
}

// EncodeRestliID returns a compound key in the reduced 2.0 form used by the
// x-restli-id header of CREATE responses, "(a:x,b:y)". A simple id is sent
// as is; DecodeRestliID reads both.
func EncodeRestliID(k Key) string {
	var b strings.Builder
	encodeAny(&b, k, escReduced)
	return b.String()
}

func encodeKey1(e *escaper, k Key) string {
	var b strings.Builder
	b.Grow(key1Len(e, k))
	writeKey1(&b, e, nil, k)
	return b.String()
}

// key1Len is the length writeKey1 writes for k with e and no prefix (one
// byte more, which Grow does not mind).
func key1Len(e *escaper, k Key) int {
	n := 0
	for _, f := range k {
		n += e.escapedLen(f.Name) + 1 + e.escapedLen(f.Value) + 1
	}
	return n
}

// writeKey1 writes k as prefix+name=value pairs joined by '&'.
func writeKey1(b *strings.Builder, e *escaper, prefix []byte, k Key) {
	for i, f := range k {
		if i > 0 {
			b.WriteByte('&')
		}
		b.Write(prefix)
		e.write(b, f.Name)
		b.WriteByte('=')
		e.write(b, f.Value)
	}
}

func encodeKey2(k Key) string {
	var b strings.Builder
	b.Grow(key2Len(k))
	writeKey2(&b, k)
	return b.String()
}

// rawParams reports whether f is a $params field whose value is written
// raw (see ParamsField).
func rawParams(f Field) bool {
	return f.Name == ParamsField && isWireRecord(f.Value)
}

func key2Len(k Key) int {
	n := 2 + 2*len(k) // parens, colons and commas (one more than needed)
	for _, f := range k {
		n += len2(esc2Name, f.Name)
		if rawParams(f) {
			n += len(f.Value)
		} else {
			n += len2(esc2, f.Value)
		}
	}
	return n
}

func writeKey2(b *strings.Builder, k Key) {
	writeRecord(b, len(k), func(i int) {
		write2(b, esc2Name, k[i].Name)
		b.WriteByte(':')
		if rawParams(k[i]) {
			b.WriteString(k[i].Value)
		} else {
			write2(b, esc2, k[i].Value)
		}
	})
}
