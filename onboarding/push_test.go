package onboarding

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rscgo/rscgo/rsc"
)

// A push whose X-LI-Signature is ambiguous (the header more than once,
// even with one valid value, in either order; a value that is not exactly
// one "hmacsha256=" and 64 hex digits) gets the answer of any bad
// signature, 401 with the same body, before the handler looks the
// instance or its secret up, and nothing is handled. One well-formed
// header is verified as before.
func TestPushAmbiguousSignature(t *testing.T) {
	t.Parallel()
	const secret = "instance-secret"
	body := []byte(`{"id":"req-1","type":"EXPORT_CANDIDATE_PROFILE"}`)
	valid := rsc.SignPush(body, secret)
	invalid := rsc.SignPush(body, "another-secret")
	hexOf := valid[len("hmacsha256="):]
	type answer struct {
		Status           int
		Body             string
		Resolves, Reads  int32 // instance look-ups, secret reads
		Accepted, Worked int32 // AcceptFunc calls, export handler calls
	}
	refused := answer{Status: http.StatusUnauthorized, Body: "bad signature\n"}
	for _, tc := range []struct {
		name     string
		path     string
		sigs     []string
		unsigned bool // WithUnsignedPushes
		want     answer
	}{
		{name: "valid then invalid", path: "/rsc/push/acme", sigs: []string{valid, invalid}, want: refused},
		{name: "invalid then valid", path: "/rsc/push/acme", sigs: []string{invalid, valid}, want: refused},
		{name: "valid twice", path: "/rsc/push/acme", sigs: []string{valid, valid}, want: refused},
		{name: "valid then invalid, unsigned pushes allowed", path: "/rsc/push/acme", sigs: []string{valid, invalid}, unsigned: true, want: refused},
		{name: "valid then invalid, unknown instance", path: "/rsc/push/initech", sigs: []string{valid, invalid}, want: refused},
		{name: "two signatures in one value", path: "/rsc/push/acme", sigs: []string{valid + ", " + invalid}, want: refused},
		{name: "empty value, unsigned pushes allowed", path: "/rsc/push/acme", sigs: []string{""}, unsigned: true, want: refused},
		{name: "no-break space around", path: "/rsc/push/acme", sigs: []string{"\u00a0" + valid}, want: refused},
		{name: "65 hex digits", path: "/rsc/push/acme", sigs: []string{valid + "0"}, want: refused},
		{name: "another scheme", path: "/rsc/push/acme", sigs: []string{"sha256=" + hexOf}, want: refused},
		{name: "well-formed, wrong secret", path: "/rsc/push/acme", sigs: []string{invalid},
			want: answer{Status: http.StatusUnauthorized, Body: "bad signature\n", Resolves: 1, Reads: 1}},
		{name: "one valid", path: "/rsc/push/acme", sigs: []string{valid},
			want: answer{Status: http.StatusOK, Resolves: 1, Reads: 1, Accepted: 1, Worked: 1}},
		{name: "one valid, upper-case hex, blanks around", path: "/rsc/push/acme", sigs: []string{" \thmacsha256=" + strings.ToUpper(hexOf) + " "},
			want: answer{Status: http.StatusOK, Resolves: 1, Reads: 1, Accepted: 1, Worked: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got answer
			opts := []Option{WithExportAccept(func(contextCtx, Instance, rsc.PushEvent) error { atomic.AddInt32(&got.Accepted, 1); return nil }),
				WithExportHandler(func(contextCtx, Instance, rsc.PushEvent, *rsc.Client) error {
					atomic.AddInt32(&got.Worked, 1)
					return nil
				})}
			if tc.unsigned {
				opts = append(opts, WithUnsignedPushes())
			}
			resolve := instanceFromPath("/rsc/push")
			h := testPushHandler(t, pushConfig{
				resolve: func(r *http.Request) (Instance, error) {
					atomic.AddInt32(&got.Resolves, 1)
					in, err := resolve(r)
					if err == nil && in.CustomerID != "acme" {
						err = errUnknownInstance
					}
					return in, err
				},
				secret: func(contextCtx, Instance) (string, error) { atomic.AddInt32(&got.Reads, 1); return secret, nil },
				client: func(contextCtx, Instance) (*rsc.Client, error) { return nil, nil },
			}, opts...)
			req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, tc.path, bytes.NewReader(body))
			for _, s := range tc.sigs {
				req.Header.Add(rsc.SignatureHeader, s)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			h.Close() // the workers are done
			got.Status, got.Body = rec.Code, rec.Body.String()
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("signatures %q (-want +got):\n%s", tc.sigs, diff)
			}
		})
	}
}
