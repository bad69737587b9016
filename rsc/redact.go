package rsc

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"sync"
)

// redactedText replaces a credential in text that reaches an error, a log
// record or a hook payload.
const redactedText = "[REDACTED]"

// minSecretLen is the shortest credential redacted: shorter strings would
// mangle ordinary text and are no real secret.
const minSecretLen = 4

// maxRememberedTokens bounds how many past access tokens are redacted
// besides the current one; older ones have long expired.
const maxRememberedTokens = 4

// redactor knows every credential of one client (its client secret and the
// access tokens it has held) and removes them, in every form a server might
// echo them (raw, URL-encoded, form-decoded, JSON-encoded), from text. It is safe for
// concurrent use.
type redactor struct {
	mu     sync.RWMutex
	secret []string // the client secret's forms
	tokens [][]string
	all    *strings.Replacer
}

func newRedactor(clientSecret string) *redactor {
	r := &redactor{secret: secretForms(clientSecret)}
	r.rebuild()
	return r
}

// addToken makes tok (a newly fetched access token) redacted too.
func (r *redactor) addToken(tok string) {
	forms := secretForms(tok)
	if len(forms) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, t := range r.tokens {
		if t[0] == forms[0] {
			return
		}
	}
	r.tokens = append(r.tokens, forms)
	if len(r.tokens) > maxRememberedTokens+1 {
		r.tokens = r.tokens[1:]
	}
	r.rebuild()
}

// rebuild makes the replacer; longer forms first, so that a form containing
// another is replaced whole.
func (r *redactor) rebuild() {
	forms := append([]string(nil), r.secret...)
	for _, t := range r.tokens {
		forms = append(forms, t...)
	}
	// strings.Replacer tries the old strings in argument order at each
	// position, so sort by length, longest first.
	slices.SortStableFunc(forms, func(a, b string) int { return len(b) - len(a) })
	pairs := make([]string, 0, 2*len(forms))
	for _, f := range forms {
		pairs = append(pairs, f, redactedText)
	}
	r.all = strings.NewReplacer(pairs...)
}

// String returns s without any credential.
func (r *redactor) String(s string) string {
	if r == nil || s == "" {
		return s
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.all.Replace(s)
}

// Bytes returns b without any credential (b itself when there is none).
func (r *redactor) Bytes(b []byte) []byte {
	if r == nil || len(b) == 0 {
		return b
	}
	s := r.String(string(b))
	if len(s) == len(b) && s == string(b) {
		return b
	}
	return []byte(s)
}

// Error returns err, or an error with err's text redacted when that text
// holds a credential (the original is then dropped, as it would leak).
func (r *redactor) Error(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if red := r.String(msg); red != msg {
		return &redactedError{msg: red}
	}
	return err
}

// redactedError stands for an error whose text held a credential.
type redactedError struct{ msg string }

func (e *redactedError) Error() string { return e.msg }

// secretForms returns s as a server might echo it: raw, URL-encoded (query
// and path escaping, upper- and lower-case hex) or form-decoded (an echo of
// s unescaped in a form body, read back as url.ParseQuery does, as oauth2
// reads a token error: '+' becomes a space, %XX its byte), each of those
// also JSON-encoded (with and without HTML escaping), or nothing when s is
// too short to be a secret. The first form is s itself; no form is shorter
// than minSecretLen.
func secretForms(s string) []string {
	if len(s) < minSecretLen {
		return nil
	}
	bases := []string{s, url.QueryEscape(s), url.PathEscape(s), lowerHex(url.QueryEscape(s)), lowerHex(url.PathEscape(s)),
		strings.ReplaceAll(s, "+", " ")}
	if d, err := url.QueryUnescape(s); err == nil {
		bases = append(bases, d)
	}
	var forms []string
	for _, f := range bases {
		forms = append(forms, f, jsonText(f, true), jsonText(f, false))
	}
	slices.Sort(forms)
	forms = slices.DeleteFunc(slices.Compact(forms), func(f string) bool { return f == s || len(f) < minSecretLen })
	return append([]string{s}, forms...)
}

// jsonText is s as it appears inside a JSON string.
func jsonText(s string, escapeHTML bool) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	enc.Encode(s)
	return strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(b.String()), `"`), `"`)
}

// lowerHex writes the hex digits of s's percent-escapes in lower case.
func lowerHex(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1], b[i+2] = toLower(b[i+1]), toLower(b[i+2])
			i += 2
		}
	}
	return string(b)
}

func toLower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
