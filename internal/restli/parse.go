package restli

import (
	"errors"
	"fmt"
	"strings"
)

// parser reads Rest.li 2.0 syntax: List(a,b), (k:v,k2:v2) and escaped
// primitives. With reduced set it undoes the reduced (header/body) encoding
// instead of full percent-decoding.
type parser struct {
	s       string
	i       int
	reduced bool
	depth   int // lists and records open at p.i
}

const listPrefix = "List("

// MaxDepth is how deeply lists and records may nest in a Rest.li value or
// key. Rest.li keys nest two or three levels; the limit keeps a hostile
// input from exhausting the stack of the recursive parser.
const MaxDepth = 32

// ErrTooDeep is returned (wrapped) for input that nests deeper than MaxDepth.
var ErrTooDeep = errors.New("restli: lists and records nested too deeply")

// errExcerpt is how much of the input an error quotes on each side of the
// offending offset.
const errExcerpt = 24

func (p *parser) errorf(format string, args ...any) error {
	return fmt.Errorf("restli: %s at offset %d in %q", fmt.Sprintf(format, args...), p.i, around(p.s, p.i))
}

// enter opens a list or record, failing past MaxDepth; leave closes it.
func (p *parser) enter() error {
	if p.depth++; p.depth > MaxDepth {
		return fmt.Errorf("%w (more than %d levels) at offset %d in %q", ErrTooDeep, MaxDepth, p.i, around(p.s, p.i))
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

// around returns the part of s within errExcerpt bytes of offset i, with
// "..." where it was cut, so that errors about huge inputs stay short.
func around(s string, i int) string {
	lo, hi := max(0, i-errExcerpt), min(len(s), i+errExcerpt)
	out := s[lo:hi]
	if lo > 0 {
		out = "..." + out
	}
	if hi < len(s) {
		out += "..."
	}
	return out
}

// short returns s, cut to 2*errExcerpt bytes with "..." when longer.
func short(s string) string { return around(s, errExcerpt) }

// primitive unescapes one raw primitive; EmptyString is "".
func (p *parser) primitive(raw string) (string, error) {
	if raw == EmptyString {
		return "", nil
	}
	if p.reduced {
		return reducedUnescape(raw), nil
	}
	s, err := unescape(raw)
	if err != nil {
		return "", fmt.Errorf("restli: %w in %q", err, short(raw))
	}
	return s, nil
}

// scan returns the raw text from p.i up to (not including) the first byte
// in stop, or the end of input.
func (p *parser) scan(stop string) string {
	start := p.i
	for p.i < len(p.s) && strings.IndexByte(stop, p.s[p.i]) < 0 {
		p.i++
	}
	return p.s[start:p.i]
}

// value parses a value inside a container: a list, an object or a
// primitive ending at ',' or ')'. Raw ':' is tolerated inside primitive
// values (clients that forget to escape URNs); '(' is not.
func (p *parser) value() (any, error) {
	switch {
	case strings.HasPrefix(p.s[p.i:], listPrefix):
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer p.leave()
		p.i += len(listPrefix)
		return p.list()
	case p.i < len(p.s) && p.s[p.i] == '(':
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer p.leave()
		p.i++
		m := map[string]any{}
		err := p.fields(func(name string, v any, _ string) { m[name] = v })
		return m, err
	default:
		return p.primitive(p.scan(",()"))
	}
}

// list parses the elements after "List(" up to and including ')'.
func (p *parser) list() ([]any, error) {
	out := []any{}
	if p.i < len(p.s) && p.s[p.i] == ')' {
		p.i++
		return out, nil
	}
	for {
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		if err := p.sep(); err != nil {
			return nil, err
		}
		if p.s[p.i-1] == ')' {
			return out, nil
		}
	}
}

// sep consumes a ',' or ')' after an element.
func (p *parser) sep() error {
	if p.i >= len(p.s) {
		return p.errorf("unbalanced brackets: missing ')'")
	}
	switch p.s[p.i] {
	case ',', ')':
		p.i++
		return nil
	}
	return p.errorf("unexpected %q", p.s[p.i])
}

// fields parses name:value pairs after '(' up to and including ')', calling
// fn for each in order. raw is the value's encoded text.
func (p *parser) fields(fn func(name string, v any, raw string)) error {
	if p.i < len(p.s) && p.s[p.i] == ')' {
		p.i++
		return nil
	}
	for {
		rawName := p.scan(":,()")
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			if p.i >= len(p.s) {
				return p.errorf("unbalanced brackets: missing ':' or ')'")
			}
			return p.errorf("expected ':' after field name %q", rawName)
		}
		p.i++
		name, err := p.primitive(rawName)
		if err != nil {
			return err
		}
		start := p.i
		v, err := p.value()
		if err != nil {
			return err
		}
		fn(name, v, p.s[start:p.i])
		if err := p.sep(); err != nil {
			return err
		}
		if p.s[p.i-1] == ')' {
			return nil
		}
	}
}

// decodeValue parses a whole string: a list or object must span all of s;
// anything else is one primitive (which may then contain any byte).
func decodeValue(s string, reduced bool) (any, error) {
	p := parser{s: s, reduced: reduced}
	if !strings.HasPrefix(s, listPrefix) && !strings.HasPrefix(s, "(") {
		return p.primitive(s)
	}
	return parseAll(&p, "unbalanced brackets: trailing text", p.value)
}

// parseAll runs parse and requires it to consume all of p's input.
func parseAll[T any](p *parser, trailing string, parse func() (T, error)) (T, error) {
	v, err := parse()
	if err == nil && p.i != len(p.s) {
		err = p.errorf("%s", trailing)
	}
	if err != nil {
		var zero T
		return zero, err
	}
	return v, nil
}

// decodeKey2 parses a 2.0 object "(a:x,b:y)" into a Key, keeping field
// order. Nested values (lists, records such as $params) are returned raw.
func decodeKey2(s string, reduced bool) (Key, error) {
	p := parser{s: s, i: 1, reduced: reduced, depth: 1}
	return parseAll(&p, "trailing text after key", p.key)
}

// record parses a record at p.i, '(' included, into a Key.
func (p *parser) record() (Key, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	p.i++
	return p.key()
}

// key parses the fields of a record after its '(' into a Key.
func (p *parser) key() (Key, error) {
	k := Key{}
	err := p.fields(func(name string, v any, raw string) {
		if str, ok := v.(string); ok {
			k = append(k, Field{Name: name, Value: str})
		} else {
			k = append(k, Field{Name: name, Value: raw})
		}
	})
	if err != nil {
		return nil, err
	}
	return k, nil
}

// isWireRecord reports whether s is a well-formed 2.0 record "(...)" made
// only of characters that are safe unescaped in a query and a path, so it
// can be written raw (used for $params).
func isWireRecord(s string) bool {
	if !strings.HasPrefix(s, "(") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if esc2Name[c] != 0 && c != '(' && c != ')' && c != ',' && c != ':' && c != '%' && c != '\'' {
			return false
		}
	}
	_, err := decodeKey2(s, false)
	return err == nil
}
