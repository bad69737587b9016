package rsc

// keyStatus is one entry of a batch response's results map; key points
// into the response body.
type keyStatus struct {
	key    []byte
	status int
}

// scanResults reads a batch response of the common shape, without
// encoding/json and without a map:
//
//	{"results":{"<key>":{"status":<n>},...},"errors":{}}
//
// in either member order, with any white space. Keys must hold no escape,
// control or non-ASCII character and each status at most four digits. It
// appends the entries, in order, to out and reports ok; for any other input
// (an error entry, another member or field, a malformed body) ok is false
// and the caller decodes the body with encoding/json, which remains the
// reference.
func scanResults(body []byte, out []keyStatus) ([]keyStatus, bool) {
	s := jsonScanner{b: body}
	if !s.eat('{') {
		return out, false
	}
	if s.eat('}') {
		return out, s.end()
	}
	for {
		name, ok := s.str()
		if !ok || !s.eat(':') {
			return out, false
		}
		switch string(name) {
		case "errors":
			ok = s.eat('{') && s.eat('}')
		case "results":
			out, ok = s.results(out)
		default:
			ok = false
		}
		if !ok {
			return out, false
		}
		if s.eat('}') {
			return out, s.end()
		}
		if !s.eat(',') {
			return out, false
		}
	}
}

// jsonScanner reads the small subset of JSON scanResults accepts.
type jsonScanner struct {
	b []byte
	i int
}

func (s *jsonScanner) space() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\t' || s.b[s.i] == '\n' || s.b[s.i] == '\r') {
		s.i++
	}
}

// eat consumes c, after white space, if it is next.
func (s *jsonScanner) eat(c byte) bool {
	s.space()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// end reports whether only white space is left.
func (s *jsonScanner) end() bool {
	s.space()
	return s.i == len(s.b)
}

// str reads a string of printable ASCII without escapes; the result points
// into the body.
func (s *jsonScanner) str() ([]byte, bool) {
	if !s.eat('"') {
		return nil, false
	}
	start := s.i
	for s.i < len(s.b) && jsonRaw[s.b[s.i]] {
		s.i++
	}
	if s.i == len(s.b) || s.b[s.i] != '"' { // an escape, a control or non-ASCII character, or the end
		return nil, false
	}
	s.i++
	return s.b[start : s.i-1], true
}

// results reads {"<key>":{"status":<n>},...}.
func (s *jsonScanner) results(out []keyStatus) ([]keyStatus, bool) {
	if !s.eat('{') {
		return out, false
	}
	if s.eat('}') {
		return out, true
	}
	for {
		key, ok := s.str()
		if !ok || !s.eat(':') || !s.eat('{') {
			return out, false
		}
		if name, ok := s.str(); !ok || string(name) != "status" || !s.eat(':') {
			return out, false
		}
		st, ok := s.status()
		if !ok || !s.eat('}') {
			return out, false
		}
		out = append(out, keyStatus{key, st})
		if s.eat('}') {
			return out, true
		}
		if !s.eat(',') {
			return out, false
		}
	}
}

// status reads a number of one to four digits without a leading zero.
func (s *jsonScanner) status() (int, bool) {
	s.space()
	n, start := 0, s.i
	for ; s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9'; s.i++ {
		n = n*10 + int(s.b[s.i]-'0')
	}
	digits := s.i - start
	if digits == 0 || digits > 4 || digits > 1 && s.b[start] == '0' {
		return 0, false
	}
	return n, true
}
