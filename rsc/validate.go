package rsc

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// maxTextLen, 262,144 characters, is our guard on text LinkedIn documents
// no length for (docs/linkedin-api.md §7): a runaway ATS field, such as a
// file pasted into a note, is refused alone rather than making a batch of
// many megabytes. It is far beyond any name, title, note or feedback.
const maxTextLen = 256 << 10

// maxIDLen is our guard on the ATS's own ids, which LinkedIn documents no
// length for (docs/linkedin-api.md §7): a candidate's or application's id
// travels in the URL path of its notes, feedback and stages, and LinkedIn
// refuses a URL over 8 KB (§2.2). An id of 512 characters, each
// percent-encoded to at most 12, keeps the path under 8 KB; the query of
// such a call is tunnelled when path and query together would not fit.
// The path's segment that holds the key has a limit of its own, 4 KB,
// which only a long id outside ASCII passes (parentPath).
const maxIDLen = 512

// futureTolerance is how far ahead of the client's clock a job's listedAt
// may be: LinkedIn refuses a listedAt in the future (docs/linkedin-api.md
// §7.1), and the hour absorbs clock skew between the ATS and LinkedIn.
const futureTolerance = time.Hour

// validator collects the first rule a record breaks.
type validator struct {
	res, key string
	now      time.Time
	err      *ValidationError
}

func (c *Client) validator(res, key string) *validator {
	return &validator{res: res, key: key, now: c.cfg.clock.Now()}
}

// checkRecord runs fn, the rules of one record type, on rec at time now.
func checkRecord[T any](res *resource, key string, now time.Time, rec *T, fn func(*validator, *T)) error {
	v := &validator{res: res.legacy, key: key, now: now}
	fn(v, rec)
	return v.result()
}

func (v *validator) fail(field, rule string) {
	if v.err == nil {
		v.err = &ValidationError{Resource: v.res, Key: v.key, Field: field, Rule: rule}
	}
}

// adopt records err, a key check's *ValidationError, as the first failure.
func (v *validator) adopt(err error) {
	if ve, ok := err.(*ValidationError); ok && v.err == nil {
		v.err = ve
	}
}

func (v *validator) result() error {
	if v.err == nil {
		return nil
	}
	return v.err
}

// text checks a string field: valid UTF-8, no control characters other than
// tab and newlines, not longer than maxLen runes (maxTextLen when 0), and at
// least one character (white space counts) if required.
func (v *validator) text(field, s string, required bool, maxLen int) {
	if v.err != nil {
		return
	}
	if rule := textRule(s, required, maxLen); rule != "" {
		v.fail(field, rule)
	}
}

// textRule returns the rule s breaks, or "".
func textRule(s string, required bool, maxLen int) string {
	if s == "" {
		if required {
			return "is required and must have at least 1 character"
		}
		return ""
	}
	if maxLen <= 0 {
		maxLen = maxTextLen
	}
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		if textRaw[c] {
			i++
			n++
			continue
		}
		if c < utf8.RuneSelf {
			return fmt.Sprintf("must not contain control character %U", rune(c))
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return "must be valid UTF-8"
		}
		if unicode.IsControl(r) {
			return fmt.Sprintf("must not contain control character %U", r)
		}
		i += size
		n++
	}
	if n > maxLen {
		return fmt.Sprintf("must be at most %d characters (has %d)", maxLen, n)
	}
	return ""
}

// textRaw holds the ASCII bytes text may hold: all but the control
// characters other than tab and newlines (one look-up a byte is what makes
// textRule cheap).
var textRaw = func() (t [256]bool) {
	for c := range utf8.RuneSelf {
		t[c] = c >= 0x20 && c != 0x7f || c == '\n' || c == '\r' || c == '\t'
	}
	return t
}()

func (v *validator) email(field, s string) {
	if v.err != nil {
		return
	}
	if rule := emailRule(s); rule != "" {
		v.fail(field, rule)
	}
}

// emailRule returns the rule an email address breaks, or "".
func emailRule(s string) string {
	if rule := textRule(s, true, 0); rule != "" {
		return rule
	}
	if !isEmailShape(s) {
		return "must match X@X.X"
	}
	return ""
}

// isEmailShape reports whether s follows LinkedIn's X@X.X rule
// (docs/linkedin-api.md §13.5): one '@' with text before it, a '.' inside the
// text after it, and no white space. It is what the regular expression
// ^[^@\s]+@[^@\s]+\.[^@\s]+$ matches, without a regexp on the hot path.
func isEmailShape(s string) bool {
	at := strings.IndexByte(s, '@')
	if at <= 0 || containsAnyOf(s, &emailSpace) {
		return false
	}
	domain := s[at+1:]
	return len(domain) >= 3 && strings.IndexByte(domain, '@') < 0 && strings.IndexByte(domain[1:len(domain)-1], '.') >= 0
}

// millis checks a timestamp: > 0 (LinkedIn's rule) and not so small that
// it must be seconds (our guard, docs/linkedin-api.md §7); 0 passes when
// the field is optional. It does not look at the clock: only a job's
// listedAt must not be in the future (notFuture).
func (v *validator) millis(field string, m EpochMillis, required bool) {
	switch {
	case m == 0 && !required:
	case m <= 0:
		v.fail(field, "must be > 0 (epoch milliseconds)")
	case m < minPlausibleMillis:
		v.fail(field, "looks like seconds, not epoch milliseconds")
	}
}

// notFuture fails field when m is more than futureTolerance ahead of the
// validator's clock.
func (v *validator) notFuture(field string, m EpochMillis) {
	if m.Time().After(v.now.Add(futureTolerance)) {
		v.fail(field, "must not be in the future")
	}
}

func (v *validator) url(field, s string, required bool) {
	if s == "" && !required {
		return
	}
	v.text(field, s, required, 0)
	if v.err != nil {
		return
	}
	if !isAbsHTTPURL(s) {
		v.fail(field, "must be an absolute http(s) URL")
	}
}

func (v *validator) urn(field, s, prefix string, required bool) {
	if s == "" && !required {
		return
	}
	if rule := urnRule(s, prefix); rule != "" {
		v.fail(field, rule)
	}
}

// urnRule returns the rule s breaks as a URN starting with prefix, or "".
func urnRule(s, prefix string) string {
	if !strings.HasPrefix(s, prefix) || len(s) == len(prefix) || strings.ContainsAny(s, " \t\r\n") {
		return "must be a URN of the form " + prefix + "{id}"
	}
	return ""
}

func (v *validator) oneOf(field, s string, allowed ...string) {
	if rule := oneOfRule(s, allowed...); rule != "" {
		v.fail(field, rule)
	}
}

// oneOfRule returns the rule s breaks when it is none of allowed, or "".
func oneOfRule(s string, allowed ...string) string {
	if slices.Contains(allowed, s) {
		return ""
	}
	return "must be one of " + strings.Join(allowed, ", ")
}

// createdModified checks a synced record's required atsCreatedAt and
// atsLastModifiedAt, the second not before the first.
func (v *validator) createdModified(created, modified EpochMillis) {
	v.millis("atsCreatedAt", created, true)
	v.millis("atsLastModifiedAt", modified, true)
	if modified < created {
		v.fail("atsLastModifiedAt", "must be >= atsCreatedAt")
	}
}

// RuleRepeated is the ValidationError.Rule of a record whose key an
// earlier record of the same call has; the earlier one is sent. LinkedIn
// forbids two updates of one job in one request (docs/linkedin-api.md §5);
// in any batch, a key sent twice gets one answer in the results map, so
// the client could not tell which record it was for.
const RuleRepeated = "appears more than once in this call"

// unique fails field when id is already in seen (one call names each
// record once), and adds id to seen.
func unique[K comparable](v *validator, field string, seen map[K]bool, id K) {
	if seen[id] {
		v.fail(field, RuleRepeated)
	}
	seen[id] = true
}

// failAt records rule, when not "", for the field named by format and i
// (such as "addresses[%d].city"); the name is built only on failure, which
// keeps validation of list elements free of allocations.
func (v *validator) failAt(format string, i int, rule string) {
	if rule != "" {
		v.fail(fmt.Sprintf(format, i), rule)
	}
}

// isAbsHTTPURL reports whether s is an absolute http(s) URL with a host and
// no white space. It is cheaper than url.Parse on the hot validation path.
func isAbsHTTPURL(s string) bool {
	rest, ok := strings.CutPrefix(s, "https://")
	if !ok {
		if rest, ok = strings.CutPrefix(s, "http://"); !ok {
			return false
		}
	}
	host := rest
	if k := indexAnyOf(rest, &urlHostEnd); k >= 0 {
		host = rest[:k]
	}
	return host != "" && !containsAnyOf(s, &urlSpace) && !strings.HasPrefix(host, ":") && !strings.HasPrefix(host, "@")
}

// byteSet is a set of bytes, for the validators' searches: strings.IndexAny
// builds its set at each call.
type byteSet [256]bool

func newByteSet(chars string) (set byteSet) {
	for i := range len(chars) {
		set[chars[i]] = true
	}
	return set
}

var (
	emailSpace = newByteSet(" \t\n\f\r") // not in an email address
	urlSpace   = newByteSet(" \t\r\n")   // not in a URL
	urlHostEnd = newByteSet("/?#")       // what ends a URL's host
)

// indexAnyOf is strings.IndexAny(s, the bytes of set), for ASCII sets.
func indexAnyOf(s string, set *byteSet) int {
	for i := range len(s) {
		if set[s[i]] {
			return i
		}
	}
	return -1
}

// containsAnyOf is strings.ContainsAny(s, the bytes of set), for ASCII sets.
func containsAnyOf(s string, set *byteSet) bool { return indexAnyOf(s, set) >= 0 }
