package pushqtest

import (
	"io"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rscgo/rscgo/rsc"
)

func TestPost(t *testing.T) {
	type seen struct{ Method, Path, RawQuery, RequestURI, Sig, Body string }
	var got seen
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = seen{r.Method, r.URL.Path, r.URL.RawQuery, r.RequestURI, r.Header.Get(rsc.SignatureHeader), string(b)}
		w.WriteHeader(http.StatusAccepted)
	})
	for _, tc := range []struct {
		name, target, sig string
		want              seen
	}{
		{"signed", "/rsc/push/acme?x=1", "hmacsha256=ab", seen{"POST", "/rsc/push/acme", "x=1", "/rsc/push/acme?x=1", "hmacsha256=ab", "{}"}},
		{"unsigned", "/callback", "", seen{"POST", "/callback", "", "/callback", "", "{}"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code := Post(t.Context(), h, tc.target, tc.sig, []byte("{}")); code != http.StatusAccepted {
				t.Errorf("status = %d, want 202", code)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("request (-want +got):\n%s", d)
			}
		})
	}
}
