package demo

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
)

// operatorCookie holds the operator token in the browser once /login has
// checked it.
const operatorCookie = "rscgo_demo_operator"

// operatorName is the name the console shows for the demo's operator.
const operatorName = "demo-operator"

// newToken returns a random operator token (128 bits, hexadecimal).
func newToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

// Token returns the operator token the pages ask for: the demo prints the
// login address (/login?token=...) when it starts.
func (m *Monitor) Token() string { return m.token }

// Authorize is the console's Authorizer (console.WithAuthorizer): a
// request carries the operator token as "Authorization: Bearer T" or as the
// cookie /login sets. Tokens are compared in constant time.
func (m *Monitor) Authorize(r *http.Request) (string, bool) {
	got := ""
	if h := r.Header.Get("Authorization"); len(h) > len("Bearer ") && h[:len("Bearer ")] == "Bearer " {
		got = h[len("Bearer "):]
	} else if c, err := r.Cookie(operatorCookie); err == nil {
		got = c.Value
	}
	if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(m.token)) != 1 {
		return "", false
	}
	return operatorName, true
}

// login checks ?token= and sets it as the operator cookie (HttpOnly,
// SameSite=Strict), then sends the browser to the console.
func (m *Monitor) login(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("token")
	if subtle.ConstantTimeCompare([]byte(tok), []byte(m.token)) != 1 {
		http.Error(w, "wrong or missing operator token: use the login address the demo printed", http.StatusUnauthorized)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: operatorCookie, Value: tok, Path: "/", HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, "./", http.StatusSeeOther)
}

// operatorOnly serves f to the operator only (401 otherwise).
func (m *Monitor) operatorOnly(f http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The operator's pages are never framed nor sniffed, as the console's.
		hd := w.Header()
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Content-Security-Policy", "frame-ancestors 'none'")
		if _, ok := m.Authorize(r); !ok {
			http.Error(w, "not the demo's operator: open the login address the demo printed", http.StatusUnauthorized)
			return
		}
		f(w, r)
	})
}

// served is what the Monitor's Handler serves beside the run's state.
type served struct {
	console http.Handler // the operators' console, once the stores are open
	metrics http.Handler // Prometheus metrics, when there is telemetry
}

func (m *Monitor) handlers() served {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.served
}

// serve sets what the Handler serves (nil fields are left as they are).
func (m *Monitor) serve(s served) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if s.console != nil {
		m.served.console = s.console
	}
	if s.metrics != nil {
		m.served.metrics = s.metrics
	}
}
