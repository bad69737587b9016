package reqtag

import (
	"net/http"
	"testing"
)

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestTransport: the clone sent on carries the tag, the caller's request
// does not.
func TestTransport(t *testing.T) {
	var sent *http.Request
	tr := Transport{
		Next: roundTripFunc(func(r *http.Request) (*http.Response, error) { sent = r; return &http.Response{}, nil }),
		Tag:  func(r *http.Request) { r.Header.Set("X-Run", "7") },
	}
	req, err := http.NewRequest(http.MethodGet, "http://example.test/", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.RoundTrip(req); err != nil {
		t.Fatal(err)
	}
	if got := sent.Header.Get("X-Run"); got != "7" {
		t.Errorf("sent X-Run = %q, want 7", got)
	}
	if got := req.Header.Get("X-Run"); got != "" {
		t.Errorf("caller's request X-Run = %q, want none", got)
	}
}
