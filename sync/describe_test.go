package sync

import "testing"

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
