package restli

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Query is a raw query string split the Rest.li way (see ParseQuery).
type Query struct {
	// Keys are the compound keys, from ids[i].f=v (grouped by i, in index
	// order, fields in the order given) or ids=List((f:v),...).
	Keys []Key
	// SimpleIDs are the simple keys, from repeated ids=v or ids=List(a,b).
	SimpleIDs []string
	// IDsProtocol is the syntax the ids used: Protocol1 for ids[i].f= and
	// repeated ids=, Protocol2 for ids=List(...), 0 when there were no ids.
	// A server echoes keys in this syntax.
	IDsProtocol Protocol
	// Params holds every other parameter, percent-decoded ('+' stays a
	// plus), in order of appearance: q, start, count, requestId, fields,
	// timeRange.start, ...
	Params map[string][]string
	// RawParams holds the same parameters with their values still escaped,
	// for 2.0 structured values such as timeRange=(start:1,end:2) that
	// must be parsed with Decode rather than percent-decoded first.
	RawParams map[string][]string
}

// Get returns the first decoded value of the parameter name, or "".
func (q Query) Get(name string) string {
	if v := q.Params[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// ParseQuery splits a raw query string without url.ParseQuery's
// normalisation: '+' is not a space, ';' is not a separator, and the ids
// parameter is read in both Rest.li syntaxes whatever the protocol header
// says:
//
//	ids[0].a=x&ids[0].b=y&ids[1].a=z   -> Keys (names may arrive as ids%5B0%5D.a)
//	ids=a&ids=b                        -> SimpleIDs
//	ids=List((a:x,b:y),(a:z))          -> Keys
//	ids=List(a,b)                      -> SimpleIDs
//
// Everything else goes to Params and RawParams. Empty segments ("&&") are
// skipped; a malformed %-escape, index or List is an error.
func ParseQuery(rawQuery string) (Query, error) {
	q := Query{Params: map[string][]string{}, RawParams: map[string][]string{}}
	type indexed struct {
		i int
		f Field
	}
	var p1 []indexed
	for part := range strings.SplitSeq(rawQuery, "&") {
		if part == "" {
			continue
		}
		rawName, rawValue, _ := strings.Cut(part, "=")
		name, err := unescape(rawName)
		if err != nil {
			return Query{}, fmt.Errorf("restli: query parameter %q: %w", short(rawName), err)
		}
		switch {
		case name == "ids" && strings.HasPrefix(rawValue, listPrefix):
			keys, ids, err := parseIDList(rawValue)
			if err != nil {
				return Query{}, err
			}
			q.Keys = append(q.Keys, keys...)
			q.SimpleIDs = append(q.SimpleIDs, ids...)
			q.IDsProtocol = Protocol2
		case name == "ids":
			id, err := unescape(rawValue)
			if err != nil {
				return Query{}, fmt.Errorf("restli: ids value %q: %w", short(rawValue), err)
			}
			q.SimpleIDs = append(q.SimpleIDs, id)
			q.IDsProtocol = Protocol1
		case strings.HasPrefix(name, "ids["):
			idx, field, ok := strings.Cut(name[len("ids["):], "].")
			i, err := strconv.Atoi(idx)
			if !ok || err != nil || i < 0 || idx[0] < '0' || idx[0] > '9' {
				return Query{}, fmt.Errorf("restli: malformed batch key parameter %q", short(name))
			}
			value, err := unescape(rawValue)
			if err != nil {
				return Query{}, fmt.Errorf("restli: %s value %q: %w", short(name), short(rawValue), err)
			}
			p1 = append(p1, indexed{i, Field{Name: field, Value: value}})
			q.IDsProtocol = Protocol1
		default:
			value, err := unescape(rawValue)
			if err != nil {
				return Query{}, fmt.Errorf("restli: %s value %q: %w", short(name), short(rawValue), err)
			}
			q.Params[name] = append(q.Params[name], value)
			q.RawParams[name] = append(q.RawParams[name], rawValue)
		}
	}
	if len(p1) > 0 {
		// Group by index, keeping field order within an index.
		slices.SortStableFunc(p1, func(a, b indexed) int { return a.i - b.i })
		for j, x := range p1 {
			if j == 0 || p1[j-1].i != x.i {
				q.Keys = append(q.Keys, Key{})
			}
			last := &q.Keys[len(q.Keys)-1]
			*last = append(*last, x.f)
		}
	}
	return q, nil
}

// parseIDList parses ids=List(...): records become Keys, primitives
// SimpleIDs.
func parseIDList(raw string) ([]Key, []string, error) {
	p := parser{s: raw, i: len(listPrefix), depth: 1}
	var keys []Key
	var ids []string
	if p.i < len(raw) && raw[p.i] == ')' {
		p.i++
	} else {
		for {
			switch {
			case strings.HasPrefix(raw[p.i:], listPrefix):
				return nil, nil, p.errorf("nested List in ids")
			case p.i < len(raw) && raw[p.i] == '(':
				k, err := p.record()
				if err != nil {
					return nil, nil, err
				}
				keys = append(keys, k)
			default:
				id, err := p.primitive(p.scan(",()"))
				if err != nil {
					return nil, nil, err
				}
				ids = append(ids, id)
			}
			if err := p.sep(); err != nil {
				return nil, nil, err
			}
			if raw[p.i-1] == ')' {
				break
			}
		}
	}
	if p.i != len(raw) {
		return nil, nil, p.errorf("trailing text after ids List")
	}
	return keys, ids, nil
}
