package restli

import (
	"errors"
	"fmt"
	"strings"
)

// DecodeKey parses a compound key from a path segment or a batch body map
// key, whatever protocol the request claimed. It accepts
//
//	a=x&b=y                        protocol 1.0 (path or body), values raw or %-escaped
//	(a:x,b:y)                      protocol 2.0, values raw or %-escaped
//	%28a%3Ax%2Cb%3Ay%29            2.0 fully URL-encoded, as LinkedIn's docs
//	                               require for a single path key (%28a:x,b:y%29 too)
//	($params:(),a:x)               2.0 complex key; $params is kept as a field
//	                               whose value is the raw record "()"
//
// Field order is preserved; compare keys with Key.Equal. '+' is a literal
// plus in both protocols. s must be the raw (still escaped) text, e.g. from
// URL.EscapedPath, not URL.Path.
func DecodeKey(s string) (Key, error) {
	if s == "" {
		return nil, errors.New("restli: empty key")
	}
	if len(s) >= 3 && s[0] == '%' && s[1] == '2' && s[2] == '8' {
		u, err := unescape(s)
		if err != nil {
			return nil, fmt.Errorf("restli: key %q: %w", short(s), err)
		}
		s = u
	}
	if s[0] == '(' {
		return decodeKey2(s, false)
	}
	return decodeKey1(s)
}

// decodeKey1 parses "a=x&b=y".
func decodeKey1(s string) (Key, error) {
	k := make(Key, 0, strings.Count(s, "&")+1)
	for part := range strings.SplitSeq(s, "&") {
		rawName, rawValue, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("restli: key %q: field %q has no '='", short(s), short(part))
		}
		name, err := unescape(rawName)
		if err != nil {
			return nil, fmt.Errorf("restli: key %q: %w", short(s), err)
		}
		value, err := unescape(rawValue)
		if err != nil {
			return nil, fmt.Errorf("restli: key %q: %w", short(s), err)
		}
		k = append(k, Field{Name: name, Value: value})
	}
	return k, nil
}

// DecodeSimpleKey decodes a simple key path segment written by
// EncodeSimpleKeyPath under either protocol: it percent-decodes s and maps
// EmptyString to "".
func DecodeSimpleKey(s string) (string, error) {
	if s == EmptyString {
		return "", nil
	}
	u, err := unescape(s)
	if err != nil {
		return "", fmt.Errorf("restli: simple key %q: %w", short(s), err)
	}
	return u, nil
}

// DecodeRestliID decodes the x-restli-id header of a CREATE response. A
// value starting with '(' is a 2.0 compound key in the reduced encoding and
// comes back as a Key (with simple ""); anything else is a simple id such as
// "urn:li:developerApplication:123" and comes back as simple (with a nil
// Key), after undoing any reduced escapes (%3A and friends).
func DecodeRestliID(h string) (Key, string, error) {
	h = strings.TrimSpace(h)
	if h == "" {
		return nil, "", errors.New("restli: empty x-restli-id")
	}
	if h[0] == '(' {
		k, err := decodeKey2(h, true)
		if err != nil {
			return nil, "", err
		}
		return k, "", nil
	}
	if h == EmptyString {
		return nil, "", nil
	}
	return nil, reducedUnescape(h), nil
}
