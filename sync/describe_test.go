package sync

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestEntityField(t *testing.T) {
	for msg, want := range map[string]string{
		"ERROR :: /title :: field is required but not found and has no default value\n": "title",
		"ERROR :: /author/firstName :: length must be at least 1":                       "author.firstName",
		"Not enough permissions to access integrationContext":                           "",
		"ERROR :: /title": "",
	} {
		if got := entityField(msg); got != want {
			t.Errorf("entityField(%q) = %q, want %q", msg, got, want)
		}
	}
}

// A reason is at most 500 bytes and an ellipsis, cut between characters,
// valid UTF-8 and without NUL (which PostgreSQL's jsonb cannot store:
// LinkedIn's messages may echo a value that holds one).
func TestTrimReason(t *testing.T) {
	long := strings.Repeat("a", 499) + "é" + "tail"
	for _, tc := range []struct{ name, in, want string }{
		{"short", "field is required\n", "field is required"},
		{"long, cut before a character", long, strings.Repeat("a", 499) + "..."},
		{"NUL", "invalid value 'a\x00b'", "invalid value 'a\uFFFDb'"},
		{"invalid UTF-8", "bad \xe9 byte", "bad \uFFFD byte"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := trimReason(tc.in); got != tc.want {
				t.Errorf("trimReason(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// A reason made of NUL bytes stays within the bound once they are
// replaced.
func TestTrimReasonBound(t *testing.T) {
	for _, s := range []string{
		strings.Repeat("\x00", 600),
		strings.Repeat("a\x00", 300),
	} {
		got := trimReason(s)
		if !utf8.ValidString(got) || strings.ContainsRune(got, 0) {
			t.Fatalf("reason %q not valid UTF-8 without NUL", got)
		}
		if len(got) > 500+len("...") {
			t.Errorf("trimReason of %d bytes holding NUL: %d bytes, want at most %d", len(s), len(got), 503)
		}
	}
}
