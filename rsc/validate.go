package rsc

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// emailRE is LinkedIn's X@X.X rule (rsc-api.md §13).
var emailRE = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)

// maxTextLen caps free-text fields LinkedIn documents no limit for, so a
// runaway ATS field cannot produce a multi-megabyte batch.
const maxTextLen = 32 << 10

// futureTolerance is how far in the future a timestamp may be (clock skew).
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

func (v *validator) fail(field, rule string) {
	if v.err == nil {
		v.err = &ValidationError{Resource: v.res, Key: v.key, Field: field, Rule: rule}
	}
}

func (v *validator) result() error {
	if v.err == nil {
		return nil
	}
	return v.err
}

// text checks a string field: valid UTF-8, no control characters other than
// tab and newlines, not longer than maxLen runes, and non-empty if required.
func (v *validator) text(field, s string, required bool, maxLen int) {
	if required && strings.TrimSpace(s) == "" {
		v.fail(field, "is required and must have at least 1 character")
		return
	}
	if !utf8.ValidString(s) {
		v.fail(field, "must be valid UTF-8")
		return
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			v.fail(field, fmt.Sprintf("must not contain control character %U", r))
			return
		}
	}
	if maxLen <= 0 {
		maxLen = maxTextLen
	}
	if n := utf8.RuneCountInString(s); n > maxLen {
		v.fail(field, fmt.Sprintf("must be at most %d characters (has %d)", maxLen, n))
	}
}

func (v *validator) email(field, s string) {
	v.text(field, s, true, 320)
	if v.err == nil && !emailRE.MatchString(s) {
		v.fail(field, "must match X@X.X")
	}
}

func (v *validator) millis(field string, m EpochMillis, required bool) {
	switch {
	case m == 0 && !required:
	case m <= 0:
		v.fail(field, "must be > 0 (epoch milliseconds)")
	case m < minPlausibleMillis:
		v.fail(field, "looks like seconds, not epoch milliseconds")
	case m.Time().After(v.now.Add(futureTolerance)):
		v.fail(field, "must not be in the future")
	}
}

func (v *validator) url(field, s string, required bool) {
	if s == "" && !required {
		return
	}
	v.text(field, s, required, 2048)
	if v.err != nil {
		return
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		v.fail(field, "must be an absolute http(s) URL")
	}
}

func (v *validator) urn(field, s, prefix string, required bool) {
	if s == "" && !required {
		return
	}
	if !strings.HasPrefix(s, prefix) || len(s) == len(prefix) || strings.ContainsAny(s, " \t\r\n") {
		v.fail(field, "must be a URN of the form "+prefix+"{id}")
	}
}

func (v *validator) oneOf(field, s string, allowed ...string) {
	for _, a := range allowed {
		if s == a {
			return
		}
	}
	v.fail(field, "must be one of "+strings.Join(allowed, ", "))
}
