// Package restli encodes and decodes LinkedIn Rest.li keys, query strings and
// tunnelled requests, for both protocol 1.0 (the form LinkedIn's RSC docs and
// Postman collection use) and protocol 2.0 (the form LinkedIn's official
// clients emit). See docs/linkedin-api.md §2 and §3.
//
// Nothing here uses url.Values.Encode: Rest.li's structural characters must
// stay literal, and field order must be what the caller asked for. Callers
// put the results into URL.RawQuery and URL.RawPath as they are.
//
// The package is organised one concept per file: key.go (Key helpers),
// encode.go (keys and ids for queries, paths and bodies), value.go (the
// generic 2.0 Encode/Decode ported from LinkedIn's official clients),
// decode.go (DecodeKey, DecodeRestliID), query.go (ParseQuery), tunnel.go
// (query tunnelling over MaxQueryLength), escape.go and parse.go (shared
// escaping tables and the 2.0 parser).
//
// Escaping, in short:
//
//   - Protocol 2.0 values: everything but A-Za-z0-9-._~ is %-encoded (as
//     Python's quote(s, safe="")); ( ) , : of the syntax stay literal.
//   - Protocol 1.0 values: only what would break the query, path segment or
//     key is %-encoded, so URNs travel as urn:li:organization:123, the way
//     LinkedIn's docs and Postman collection send them. '+' is always
//     %2B: a 1.0 server URL-decodes every key part, reading '+' as a space.
//   - Decoders accept raw and %-encoded forms of both syntaxes whatever the
//     X-RestLi-Protocol-Version header says, and never read '+' as a space
//     (rscgo writes a space as %20, or raw in a 1.0 body key, and a plus as
//     %2B everywhere).
package restli

// Protocol selects the Rest.li key syntax.
type Protocol int

const (
	// Protocol1 is Rest.li 1.0: ids[0].f=v&ids[0].g=w in queries, f=v&g=w in
	// paths and body map keys, repeated ids= for simple keys.
	Protocol1 Protocol = 1
	// Protocol2 is Rest.li 2.0: ids=List((f:v,g:w)), (f:v,g:w), List(a,b).
	Protocol2 Protocol = 2
)

// Field is one name/value pair of a compound key.
type Field struct {
	Name  string
	Value string
}

// Key is a compound (association or complex) key: an ordered list of fields.
// Encoders keep the order given; Equal compares as an unordered set.
type Key []Field
