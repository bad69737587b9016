package rsc

import (
	"cmp"
	"hash/maphash"
	"slices"
	"strconv"
	"strings"

	"github.com/rscgo/rscgo/internal/restli"
)

// sameKeySpelling reports whether got, a key of a batch response's map, is
// the compound key sent as sent (the batch body's spelling) in the same
// field order, spelt with other escaping. It is the fast path of matching a
// response to its records; when it says false the caller decodes the key.
//
// A Rest.li 1.0 server writes the keys of its answer form-encoded, as Java's
// URLEncoder does (a space is '+', ':' is %3A), while rscgo sends 1.0 body
// keys escaping '%', '&', '=', '+' and what java.net.URI refuses in a query
// (a space is %20, ':' stays raw); rscgo sends 2.0 body keys fully
// percent-encoded, while a 2.0 server escapes only ( ) , : ' and %
// (docs/linkedin-api.md §3.2). So a byte may be escaped on one side and raw
// on the other. Both are read one character at a time (a byte, or %XX with
// hex digits of either case, or in 1.0 a '+' in got standing for a space)
// and must decode to the same bytes; a character that structures the key
// ('&' and '=' in 1.0; ( ) , : and ' in 2.0) must be raw on both sides or
// escaped on both. Then both sides parse to the same fields, so a true
// answer is exact. Anything unusual (a malformed escape, a raw '+' in sent)
// answers false.
func sameKeySpelling[S string | []byte](sent S, got []byte) bool {
	v2 := len(sent) > 0 && sent[0] == '('
	i, j := 0, 0
	for {
		// The common case: a run of the same raw bytes, eight at a time
		// while it lasts.
		n := min(len(sent)-i, len(got)-j)
		s, g := sent[i:i+n], got[j:j+n]
		k := 0
		for k+8 <= len(s) {
			x := load64(s, k)
			if x != load64(g, k) || hasByte(x, '%') || hasByte(x, '+') {
				break
			}
			k += 8
		}
		for k < len(s) && s[k] == g[k] && keyRaw[s[k]] {
			k++
		}
		if i, j = i+k, j+k; i == len(sent) || j == len(got) {
			return i == len(sent) && j == len(got)
		}
		a, aEsc, n := keyChar(sent[i:], v2, false)
		b, bEsc, m := keyChar(got[j:], v2, true)
		if n == 0 || m == 0 || a != b || aEsc != bEsc && keyStructure(a, v2) {
			return false
		}
		i, j = i+n, j+m
	}
}

// load64 returns the eight bytes of s from k as a little-endian number.
func load64[S string | []byte](s S, k int) uint64 {
	return uint64(s[k]) | uint64(s[k+1])<<8 | uint64(s[k+2])<<16 | uint64(s[k+3])<<24 |
		uint64(s[k+4])<<32 | uint64(s[k+5])<<40 | uint64(s[k+6])<<48 | uint64(s[k+7])<<56
}

// hasByte reports whether one of the eight bytes of x is c.
func hasByte(x uint64, c byte) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	v := x ^ ones*uint64(c) // a zero byte where x holds c
	return (v-ones)&^v&highs != 0
}

// keyRaw holds the bytes that stand for themselves on both sides of
// sameKeySpelling: all but '%' and '+'.
var keyRaw = func() (t [256]bool) {
	for c := range t {
		t[c] = c != '%' && c != '+'
	}
	return t
}()

// keyChar reads the character at the start of s: its byte, whether it was
// escaped, and its width (0: refused). A '+' is a space escaped in a 1.0
// response key (resp); anywhere else in 1.0 it is refused, as a server would
// read it as a space.
func keyChar[S string | []byte](s S, v2, resp bool) (c byte, escaped bool, width int) {
	switch c = s[0]; {
	case c == '%':
		if len(s) < 3 {
			return 0, false, 0
		}
		hi, ok1 := restli.Unhex(s[1])
		lo, ok2 := restli.Unhex(s[2])
		if !ok1 || !ok2 {
			return 0, false, 0
		}
		return hi<<4 | lo, true, 3
	case c == '+' && !v2:
		if !resp {
			return 0, false, 0
		}
		return ' ', true, 1
	}
	return c, false, 1
}

// keyStructure reports whether c, raw, structures a key of the syntax.
func keyStructure(c byte, v2 bool) bool {
	if v2 {
		return c == '(' || c == ')' || c == ',' || c == ':' || c == '\''
	}
	return c == '&' || c == '='
}

// keyIndex finds the compound key of a batch that a key of the answer's
// maps names, however the server spells it and whatever the order of its
// answer: it decodes the answer's key and looks its fields up in an index
// of the batch's keys by their fields (canonicalKey), made at its first
// use, so that an answer out of order costs one decoding a key, not one
// a key and a comparison with every key of the batch.
type keyIndex struct {
	keys []restli.Key
	pos  hashIndex // of the canonicalKey of each key
	buf  []byte
}

// find returns the position in keys of the compound key that k, a key of a
// response map, names (the first of a key given twice), or -1. Servers may
// echo keys with fields in another order or syntax. A 1.0 server may spell
// a space as '+', as Java's URLEncoder does (rscgo itself never sends a raw
// '+' in a 1.0 key); in 2.0 syntax, "(a:x)", a '+' is a plus
// (docs/linkedin-api.md §3.2).
func (x *keyIndex) find(k string) int {
	if !strings.HasPrefix(k, "(") && strings.Contains(k, "+") {
		if j := x.decoded(strings.ReplaceAll(k, "+", "%20")); j >= 0 {
			return j
		}
	}
	return x.decoded(k)
}

// decoded returns the position in keys of the key k decodes to, fields in
// any order, or -1.
func (x *keyIndex) decoded(k string) int {
	dk, err := restli.DecodeKey(k)
	if err != nil {
		return -1
	}
	if x.pos == nil {
		x.pos = make(hashIndex, len(x.keys))
	}
	if len(x.pos) == 0 {
		for j, rk := range x.keys {
			if rk != nil {
				x.buf = canonicalKey(x.buf[:0], rk)
				x.pos.add(x.buf, j)
			}
		}
	}
	x.buf = canonicalKey(x.buf[:0], dk)
	j, ok := x.pos.get(x.buf)
	switch {
	case !ok:
		return -1 // no key has its fields
	case x.keys[j].Equal(dk):
		return j
	}
	// Another key's fields hash alike (hashIndex keeps the first).
	return slices.IndexFunc(x.keys, func(rk restli.Key) bool { return rk != nil && rk.Equal(dk) })
}

// hashIndex gives the position of the first of a list of byte strings
// with the hash of a given one, without keeping a copy of each: the
// caller checks that the string at that position is the one looked for,
// or else looks for it some other way.
type hashIndex map[uint64]int

// keyHashSeed seeds the hashes of every hashIndex.
var keyHashSeed = maphash.MakeSeed()

// add records j as the position of b, unless a string with b's hash has
// one.
func (h hashIndex) add(b []byte, j int) {
	sum := maphash.Bytes(keyHashSeed, b)
	if _, ok := h[sum]; !ok {
		h[sum] = j
	}
}

// get returns the position of the first string with b's hash.
func (h hashIndex) get(b []byte) (int, bool) {
	j, ok := h[maphash.Bytes(keyHashSeed, b)]
	return j, ok
}

// canonicalKey appends a spelling of k that two keys share exactly when
// they have the same fields (restli.Key.Equal), in whatever order: the
// fields sorted by name, then value, each name and value written after its
// length.
func canonicalKey(dst []byte, k restli.Key) []byte {
	var small [8]restli.Field
	fs := append(small[:0], k...)
	slices.SortFunc(fs, func(a, b restli.Field) int {
		if c := cmp.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return cmp.Compare(a.Value, b.Value)
	})
	for _, f := range fs {
		for _, s := range [2]string{f.Name, f.Value} {
			dst = strconv.AppendInt(dst, int64(len(s)), 10)
			dst = append(dst, ':')
			dst = append(dst, s...)
		}
	}
	return dst
}
