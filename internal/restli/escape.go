package restli

import (
	"errors"
	"strings"
)

// escaper is a byte-indexed table: 2 (the extra length of %XX) means the
// byte must be written as %XX (upper-case hex), 0 that it stays. Tables are
// built once and never modified.
type escaper [256]uint8

func (e *escaper) set(c int, must bool) {
	if must {
		e[c] = 2
	}
}

const upperHex = "0123456789ABCDEF"

// newEscaper returns a table escaping every byte that is not an ASCII letter
// or digit and not listed in safe.
func newEscaper(safe string) *escaper {
	var e escaper
	for c := 0; c < 256; c++ {
		b := byte(c)
		isAlnum := 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
		e.set(c, !isAlnum && strings.IndexByte(safe, b) < 0)
	}
	return &e
}

// newBlocklistEscaper returns a table escaping control characters (including
// DEL), every non-ASCII byte, and the bytes listed in unsafe.
func newBlocklistEscaper(unsafe string) *escaper {
	var e escaper
	for c := 0; c < 256; c++ {
		e.set(c, c < 0x20 || c >= 0x7f || strings.IndexByte(unsafe, byte(c)) >= 0)
	}
	return &e
}

var (
	// esc2 is Rest.li 2.0 value escaping, identical to Python's
	// urllib.parse.quote(s, safe=""): only unreserved A-Za-z0-9-._~ stay.
	esc2 = newEscaper("-._~")
	// esc2Name escapes 2.0 field names in keys; '$' stays literal so that
	// complex keys keep their "$params" field readable.
	esc2Name = newEscaper("-._~$")
	// esc1Query escapes protocol 1.0 query names and values: only what
	// breaks query parsing or is not URL-safe. ':' ',' '/' '(' ')' stay
	// literal, as in LinkedIn's docs and Postman collection.
	esc1Query = newBlocklistEscaper(" \"#%&+;<=>?[\\]^`{|}")
	// esc1Simple is esc1Query plus '(' and ')', used for repeated simple
	// ids=v values so that ParseQuery can never mistake one for List(...).
	esc1Simple = newBlocklistEscaper(" \"#%&+;<=>?[\\]^`{|}()")
	// esc1Path escapes protocol 1.0 keys in a path segment: the structural
	// '&' and '=', the path breakers '/' '?' '#' '%' ';', '+' (a 1.0 server
	// URL-decodes each key part with Java's URLDecoder, which reads '+' as a
	// space), and what is not URL-safe. ':' stays literal (Postman sends
	// URNs raw).
	esc1Path = newBlocklistEscaper(" \"#%&+/;<=>?[\\]^`{|}")
	// esc1Body escapes protocol 1.0 compound keys used as JSON map keys of
	// a batch body. A Rest.li 1.0 server parses such a key as a URI query,
	// UriComponent.decodeQuery(URI.create("?" + key), true), and form-decodes
	// each name and value (docs/linkedin-api.md §3.2). So the structural '&'
	// '=', the escape '%' and '+' (a space to URLDecoder) are escaped, and
	// so is every byte java.net.URI refuses in a query, or reads as the
	// start of a fragment: controls, space, DEL and " # < > \ ^ ` { | }.
	// Non-ASCII bytes are escaped too: java.net.URI refuses raw Unicode
	// spaces (U+00A0, U+2028, U+3000...) and C1 controls, and Rest.li
	// decodes %XX UTF-8 to the same text as raw visible characters.
	// ':' '/' '?' ';' '@' ',' '(' ')' '[' ']' stay raw, as java.net.URI takes
	// them in a query, so URNs stay readable.
	esc1Body = newBlocklistEscaper(" \"#%&+<=>\\^`{|}")
	// escReduced is the Rest.li "reduced" encoding used in headers and
	// bodies (LinkedIn's JS client reducedEncode): only the 2.0 syntax
	// characters , ( ) ' : are escaped. '%' is NOT escaped, as upstream.
	escReduced = newEscaper2(func(c byte) bool {
		return c == ',' || c == '(' || c == ')' || c == '\'' || c == ':'
	})
)

func newEscaper2(must func(byte) bool) *escaper {
	var e escaper
	for c := 0; c < 256; c++ {
		e.set(c, must(byte(c)))
	}
	return &e
}

// escapedLen is the length of s after escaping.
func (e *escaper) escapedLen(s string) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		n += int(e[s[i]])
	}
	return n
}

// write appends the escaped form of s to b.
func (e *escaper) write(b *strings.Builder, s string) {
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if e[c] == 0 {
			continue
		}
		b.WriteString(s[start:i])
		b.WriteByte('%')
		b.WriteByte(upperHex[c>>4])
		b.WriteByte(upperHex[c&15])
		start = i + 1
	}
	b.WriteString(s[start:])
}

// escape returns the escaped form of s, without allocating when nothing
// needs escaping.
func (e *escaper) escape(s string) string {
	n := e.escapedLen(s)
	if n == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(n)
	e.write(&b, s)
	return b.String()
}

// EmptyString is the Rest.li 2.0 spelling of the empty string: two
// apostrophes. Decoders read it as "" in 2.0 syntax.
const EmptyString = "''"

// len2 and write2 escape a 2.0 primitive, writing EmptyString for "".
func len2(e *escaper, s string) int {
	if s == "" {
		return len(EmptyString)
	}
	return e.escapedLen(s)
}

func write2(b *strings.Builder, e *escaper, s string) {
	if s == "" {
		b.WriteString(EmptyString)
		return
	}
	e.write(b, s)
}

// errBadEscape reports a '%' not followed by two hex digits.
var errBadEscape = errors.New("invalid percent-escape")

// Unhex returns the value of the hexadecimal digit c (either case).
func Unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// unescape percent-decodes s. '+' is a literal plus, never a space: Rest.li
// 2.0 says so, and for 1.0 rscgo never writes a space as '+' and always
// writes a plus as %2B, so a raw '+' can only mean '+'. Malformed escapes
// are an error.
func unescape(s string) (string, error) {
	n := strings.IndexByte(s, '%')
	if n < 0 {
		return s, nil
	}
	buf := make([]byte, 0, len(s))
	buf = append(buf, s[:n]...)
	for i := n; i < len(s); i++ {
		c := s[i]
		if c != '%' {
			buf = append(buf, c)
			continue
		}
		if i+2 >= len(s) {
			return "", errBadEscape
		}
		hi, ok1 := Unhex(s[i+1])
		lo, ok2 := Unhex(s[i+2])
		if !ok1 || !ok2 {
			return "", errBadEscape
		}
		buf = append(buf, hi<<4|lo)
		i += 2
	}
	return string(buf), nil
}

// reducedReplacer undoes the reduced encoding exactly as LinkedIn's Python
// client does (docs/linkedin-api.md §3.2): only the
// upper-case escapes of ( ) , : ' are decoded; anything else, including a
// bare '%' or "%3F", is left as it is.
var reducedReplacer = strings.NewReplacer("%28", "(", "%29", ")", "%2C", ",", "%3A", ":", "%27", "'")

func reducedUnescape(s string) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	return reducedReplacer.Replace(s)
}
