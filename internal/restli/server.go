package restli

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file reads and writes keys the way a Rest.li server does, for the
// fake LinkedIn of package rsctest: a server parses with the protocol its
// X-RestLi-Protocol-Version header names, not with whatever syntax the text
// happens to use (docs/linkedin-api.md §3).

// ParseProtocolHeader returns the protocol an X-RestLi-Protocol-Version
// header names: Protocol1 when it is absent (Rest.li's default) or 1.x,
// Protocol2 for 2.x. Any other value is an error.
func ParseProtocolHeader(h string) (Protocol, error) {
	h = strings.TrimSpace(h)
	switch {
	case h == "", strings.HasPrefix(h, "1."):
		return Protocol1, nil
	case strings.HasPrefix(h, "2."):
		return Protocol2, nil
	}
	return 0, fmt.Errorf("restli: unsupported protocol version %q", h)
}

// ErrSyntaxMismatch reports a key or ids parameter written in the other
// protocol's syntax than the one the request declared.
var ErrSyntaxMismatch = errors.New("restli: key syntax does not match the protocol version")

// ParseServerQuery splits a raw query string as a Rest.li server of
// protocol p does. Under Protocol1 a raw '+' is a space (the query is
// form-decoded); under Protocol2 it is a plus. The ids must use p's syntax:
// ids=List(...) under Protocol1, or ids[i].f= and repeated ids= under
// Protocol2, is ErrSyntaxMismatch.
func ParseServerQuery(p Protocol, rawQuery string) (Query, error) {
	if p == Protocol1 {
		rawQuery = strings.ReplaceAll(rawQuery, "+", "%20")
	}
	q, err := ParseQuery(rawQuery)
	if err != nil {
		return Query{}, err
	}
	if q.IDsProtocol != 0 && q.IDsProtocol != p {
		return Query{}, fmt.Errorf("%w: ids in protocol %d.0 syntax under protocol %d.0", ErrSyntaxMismatch, q.IDsProtocol, p)
	}
	return q, nil
}

// ParseServerKey parses a compound key from a path segment as a Rest.li
// server of protocol p does (ParseServerBodyKey reads the map keys of a
// batch body). Protocol1 reads
// "a=x&b=y" and form-decodes each name and value (Java's URLDecoder: '+' is
// a space, a malformed escape is an error). Protocol2 reads "(a:x,b:y)"
// (or its fully percent-encoded form) and percent-decodes values ('+' is a
// plus). A key in the other protocol's syntax is ErrSyntaxMismatch.
func ParseServerKey(p Protocol, s string) (Key, error) {
	is2 := strings.HasPrefix(s, "(") || strings.HasPrefix(s, "%28")
	if p == Protocol2 {
		if !is2 {
			return nil, fmt.Errorf("%w: %q is not a protocol 2.0 key", ErrSyntaxMismatch, s)
		}
		return DecodeKey(s)
	}
	if is2 || s == "" {
		return nil, fmt.Errorf("%w: %q is not a protocol 1.0 key", ErrSyntaxMismatch, s)
	}
	return decodeKey1(strings.ReplaceAll(s, "+", "%20"))
}

// ErrURIQuery reports a protocol 1.0 batch body key that java.net.URI
// cannot parse as a URI query: Rest.li answers such a key 400 "Invalid key".
var ErrURIQuery = errors.New("restli: not a valid URI query")

// ParseServerBodyKey parses a compound key found as a map key of a batch
// request body as a Rest.li server of protocol p does
// (ArgumentBuilder.parseEntityStringKey). Under Protocol1 Rest.li reads the
// key as a URI query, UriComponent.decodeQuery(URI.create("?" + key), true)
// (ComplexResourceKey.parseString): a character java.net.URI refuses there
// is ErrURIQuery, a '#' ends the query (the rest is a URI fragment), and
// each name and value is then form-decoded as by ParseServerKey, so %XX
// escapes are decoded. Under Protocol2 it is ParseServerKey. A simple key
// in a batch body is not parsed at all: Rest.li takes it literally.
func ParseServerBodyKey(p Protocol, s string) (Key, error) {
	if p == Protocol1 {
		q, err := uriQuery(s)
		if err != nil {
			return nil, err
		}
		s = q
	}
	return ParseServerKey(p, s)
}

// uriRefused holds the ASCII bytes java.net.URI refuses in a query: the
// controls, space, DEL and " < > \ ^ ` { | }.
var uriRefused = func() (t [utf8.RuneSelf]bool) {
	for c := range t {
		t[c] = c <= ' ' || c == 0x7f || strings.IndexByte("\"<>\\^`{|}", byte(c)) >= 0
	}
	return t
}()

// uriQuery returns the raw query java.net.URI.create("?" + s) finds in s,
// or ErrURIQuery where it throws. java.net.URI takes in a query the
// unreserved and reserved ASCII characters, %XX escapes (two hex digits) and
// non-ASCII characters other than spaces (Unicode Zs, Zl, Zp) and controls;
// a '#' starts the fragment, where a second '#' is refused.
func uriQuery(s string) (string, error) {
	end := -1
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '#' && end < 0:
			end = i
			i++
		case c == '%':
			if i+2 >= len(s) {
				return "", fmt.Errorf("%w: %q: malformed escape at %d", ErrURIQuery, short(s), i)
			}
			if _, ok := Unhex(s[i+1]); !ok {
				return "", fmt.Errorf("%w: %q: malformed escape at %d", ErrURIQuery, short(s), i)
			}
			if _, ok := Unhex(s[i+2]); !ok {
				return "", fmt.Errorf("%w: %q: malformed escape at %d", ErrURIQuery, short(s), i)
			}
			i += 3
		case c < utf8.RuneSelf:
			if c == '#' || uriRefused[c] {
				return "", fmt.Errorf("%w: %q: illegal character %q at %d", ErrURIQuery, short(s), c, i)
			}
			i++
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			if unicode.IsControl(r) || unicode.In(r, unicode.Zs, unicode.Zl, unicode.Zp) {
				return "", fmt.Errorf("%w: %q: illegal character %U at %d", ErrURIQuery, short(s), r, i)
			}
			i += n
		}
	}
	if end >= 0 {
		return s[:end], nil
	}
	return s, nil
}

// ParseServerSimpleKey decodes a simple key path segment as a Rest.li
// server of protocol p does: form-decoded under Protocol1 ('+' is a space),
// percent-decoded under Protocol2 ('+' is a plus, ” is the empty string).
func ParseServerSimpleKey(p Protocol, s string) (string, error) {
	if p == Protocol1 {
		return FormDecode(s)
	}
	return DecodeSimpleKey(s)
}

// FormDecode decodes s as Java's URLDecoder does: '+' is a space and %XX a
// byte; a malformed escape is an error.
func FormDecode(s string) (string, error) {
	return unescape(strings.ReplaceAll(s, "+", "%20"))
}

// EncodeServerBodyKey spells a compound key as a Rest.li server of protocol p
// writes it as a map key of a batch response body, fields sorted by name:
// Protocol1 "a=x&b=y" with names and values form-encoded (Java's
// URLEncoder: a space is '+', and every byte but letters, digits and
// . - * _ is %XX); Protocol2 "(a:x,b:y)" with only ( ) , : ' and % escaped
// in names and values and the empty string written ”. Fields named
// ParamsField are left out (a server echoes a complex key without its
// parameters). A simple key is written as it is under both protocols.
func EncodeServerBodyKey(p Protocol, k Key) string {
	k = k.Without(ParamsField)
	slices.SortStableFunc(k, func(a, b Field) int { return strings.Compare(a.Name, b.Name) })
	var b strings.Builder
	if p == Protocol1 {
		for i, f := range k {
			if i > 0 {
				b.WriteByte('&')
			}
			escForm.writeForm(&b, f.Name)
			b.WriteByte('=')
			escForm.writeForm(&b, f.Value)
		}
		return b.String()
	}
	b.WriteByte('(')
	for i, f := range k {
		if i > 0 {
			b.WriteByte(',')
		}
		writeBody2(&b, f.Name)
		b.WriteByte(':')
		writeBody2(&b, f.Value)
	}
	b.WriteByte(')')
	return b.String()
}

// EncodeServerSimpleBodyKey spells a simple key (a task URN, a note id) as
// a Rest.li server of protocol p writes it as a map key of a batch response
// body: as it is under Protocol1; under Protocol2 the way
// EncodeServerBodyKey writes a compound key's values, escaping only ( ) , :
// ' and %, and writing the empty string as EmptyString (so urn:li:task:1
// is urn%3Ali%3Atask%3A1). ParseServerSimpleKey reads it back.
func EncodeServerSimpleBodyKey(p Protocol, id string) string {
	if p == Protocol1 {
		return id
	}
	var b strings.Builder
	writeBody2(&b, id)
	return b.String()
}

var (
	// escForm is Java's URLEncoder: letters, digits and . - * _ stay.
	escForm = newEscaper(".-*_")
	// escBody2 is the escaping of a Rest.li 2.0 body key: the grammar
	// characters ( ) , : the empty-string quote ' and the escape '%'.
	escBody2 = newEscaper2(func(c byte) bool { return strings.IndexByte("(),:'%", c) >= 0 })
)

func (e *escaper) writeForm(b *strings.Builder, s string) {
	for _, part := range strings.SplitAfter(s, " ") {
		word, space := strings.CutSuffix(part, " ")
		e.write(b, word)
		if space {
			b.WriteByte('+')
		}
	}
}

func writeBody2(b *strings.Builder, s string) {
	if s == "" {
		b.WriteString(EmptyString)
		return
	}
	escBody2.write(b, s)
}
