package rsctest

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
)

// serveAdmin serves the admin endpoints under /_rsctest/ that let a demo,
// curl or a test in another language drive the LinkedIn side of a running
// fake; the package documentation ("Driving a running fake") lists them and
// the guards guardAdmin applies.
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	if err := s.guardAdmin(r); err != nil {
		writeAdminError(w, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxAdminBody)
	s.adminOnce.Do(s.buildAdmin)
	s.admin.ServeHTTP(w, r)
}

// maxAdminBody caps admin request bodies (a customer, a member, fault rules).
const maxAdminBody = 1 << 20

// guardAdmin refuses an admin request from where a browser page could send
// it: a Host that is not loopback (DNS rebinding), a POST that is not JSON
// (a cross-site form or text/plain fetch), or a missing admin token.
func (s *Server) guardAdmin(r *http.Request) error {
	if !s.loopbackHost(r.Host) {
		return errf(http.StatusForbidden, "the admin API answers only requests for a loopback Host (localhost, 127.0.0.1, [::1])")
	}
	if want := s.cfg.adminToken; want != "" {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
			return errf(http.StatusUnauthorized, "the admin API needs Authorization: Bearer {admin token}")
		}
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/json" {
			return errf(http.StatusUnsupportedMediaType, "admin requests other than GET need Content-Type: application/json")
		}
	}
	return nil
}

// loopbackHost reports whether a request's Host names this machine.
func (s *Server) loopbackHost(host string) bool {
	if s.cfg.noListener && host == strings.TrimPrefix(s.baseURL, "http://") {
		return true
	}
	h := host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		h = hh
	}
	h = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

func (s *Server) resolveCustomer(id string) *Customer {
	if c := s.CustomerByOrganization(id); c != nil {
		return c
	}
	if c := s.CustomerByOrganization("urn:li:organization:" + id); c != nil {
		return c
	}
	return s.Customer(id)
}

// adminFunc answers one admin request with a value to encode as JSON, or an
// error: an *httpError carries its status; the simulation errors map to 404
// or 429; anything else is a 400.
type adminFunc func(r *http.Request) (any, error)

// custFunc is an adminFunc on the customer named by the {org} path value.
type custFunc func(r *http.Request, c *Customer) (any, error)

func writeAdminError(w http.ResponseWriter, err error) {
	status := http.StatusBadRequest
	var he *httpError
	switch {
	case errors.As(err, &he):
		status = he.status
	case errors.Is(err, ErrExportQuota):
		status = http.StatusTooManyRequests
	case errors.Is(err, ErrUnknownMember), errors.Is(err, ErrUnknownSeat), errors.Is(err, ErrUnknownConversation), errors.Is(err, ErrUnknownNote):
		status = http.StatusNotFound
	}
	writeError(w, status, err.Error())
}

// decodeAdmin decodes the JSON request body into v.
func decodeAdmin(r *http.Request, v any) error {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		if _, tooLarge := errors.AsType[*http.MaxBytesError](err); tooLarge {
			return errf(http.StatusRequestEntityTooLarge, "the body is larger than 1 MiB")
		}
		return errf(http.StatusBadRequest, "invalid JSON body: "+err.Error())
	}
	return nil
}

var okTrue = map[string]bool{"ok": true}

func (s *Server) buildAdmin() {
	mux := http.NewServeMux()
	handle := func(pattern string, h adminFunc) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			v, err := h(r)
			if err != nil {
				writeAdminError(w, err)
				return
			}
			writeJSON(w, http.StatusOK, v)
		})
	}
	for pattern, h := range s.adminRoutes() {
		handle(pattern, h)
	}
	for pattern, h := range s.adminCustomerRoutes() {
		handle(pattern, func(r *http.Request) (any, error) {
			c := s.resolveCustomer(r.PathValue("org"))
			if c == nil {
				return nil, errf(http.StatusNotFound, "no customer "+r.PathValue("org"))
			}
			return h(r, c)
		})
	}
	s.admin = mux
}

func (s *Server) adminRoutes() map[string]adminFunc {
	return map[string]adminFunc{
		"GET /_rsctest/state":    func(*http.Request) (any, error) { return s.State(), nil },
		"GET /_rsctest/requests": func(*http.Request) (any, error) { return s.Requests(), nil },
		"GET /_rsctest/pushes":   func(*http.Request) (any, error) { return s.Pushes(), nil },
		"POST /_rsctest/pushes/deliver": func(r *http.Request) (any, error) {
			n, err := s.DeliverPushes(r.Context())
			res := map[string]any{"delivered": n}
			if err != nil {
				res["error"] = err.Error()
			}
			return res, nil
		},
		"POST /_rsctest/customers": func(r *http.Request) (any, error) {
			var spec CustomerSpec
			if err := decodeAdmin(r, &spec); err != nil {
				return nil, err
			}
			c, err := s.addCheckedCustomer(spec)
			if err != nil {
				return nil, err
			}
			return c.Snapshot(), nil
		},
		"POST /_rsctest/members": func(r *http.Request) (any, error) {
			var spec MemberSpec
			if err := decodeAdmin(r, &spec); err != nil {
				return nil, err
			}
			return s.AddMember(spec), nil
		},
		"POST /_rsctest/members/{person}/close": func(r *http.Request) (any, error) {
			p := r.PathValue("person")
			if !strings.HasPrefix(p, "urn:") {
				p = "urn:li:person:" + p
			}
			return okTrue, s.CloseMemberAccount(p)
		},
		"POST /_rsctest/tokens/revoke": func(r *http.Request) (any, error) {
			return map[string]int{"revoked": s.RevokeTokens(r.URL.Query().Get("clientId"))}, nil
		},
		"POST /_rsctest/webhooks/validate": func(r *http.Request) (any, error) {
			if err := s.ValidateWebhook(r.Context(), r.URL.Query().Get("url")); err != nil {
				return map[string]any{"valid": false, "error": err.Error()}, nil
			}
			return map[string]bool{"valid": true}, nil
		},
		"POST /_rsctest/faults": func(r *http.Request) (any, error) {
			var fs []Fault
			if err := decodeAdmin(r, &fs); err != nil {
				return nil, err
			}
			s.SetFaults(fs...)
			return map[string]int{"rules": len(fs)}, nil
		},
	}
}

func (s *Server) adminCustomerRoutes() map[string]custFunc {
	q := func(r *http.Request, n string) string { return r.URL.Query().Get(n) }
	return map[string]custFunc{
		"GET /_rsctest/customers/{org}": func(_ *http.Request, c *Customer) (any, error) { return c.Snapshot(), nil },
		"POST /_rsctest/customers/{org}/jobResync": func(r *http.Request, c *Customer) (any, error) {
			status, err := c.SendJobResync(r.Context(), q(r, "url"), r.URL.Query()["job"], q(r, "all") == "true")
			res := map[string]any{"status": status}
			if err != nil {
				res["error"] = err.Error()
			}
			return res, nil
		},
		"POST /_rsctest/customers/{org}/request": func(_ *http.Request, c *Customer) (any, error) {
			return map[string]string{"requestId": c.RequestIntegrations()}, nil
		},
		"POST /_rsctest/customers/{org}/notify": func(_ *http.Request, c *Customer) (any, error) {
			return map[string]string{"requestId": c.NotifyPartner()}, nil
		},
		"POST /_rsctest/customers/{org}/enable": func(r *http.Request, c *Customer) (any, error) {
			var ids []string
			if v := q(r, "company"); v != "" {
				ids = append(ids, c.SetCompanyAccess(v == "true"))
			}
			if v := q(r, "contract"); v != "" {
				ids = append(ids, c.SetContractAccess(v == "true"))
			}
			return map[string]any{"requestIds": ids, "integrations": c.Integrations()}, nil
		},
		"POST /_rsctest/customers/{org}/settings": func(r *http.Request, c *Customer) (any, error) {
			ps := c.ProductSettings()
			if err := decodeAdmin(r, &ps); err != nil {
				return nil, err
			}
			return map[string]string{"requestId": c.SetProductSettings(ps)}, nil
		},
		"POST /_rsctest/customers/{org}/seats": func(r *http.Request, c *Customer) (any, error) {
			return c.AddSeat(SeatSpec{Member: q(r, "member"), Contract: q(r, "contract"), State: q(r, "state")})
		},
		"POST /_rsctest/customers/{org}/export": func(r *http.Request, c *Customer) (any, error) {
			id, err := c.Export(q(r, "seat"), q(r, "member"), q(r, "job"))
			return map[string]string{"requestId": id}, err
		},
		"POST /_rsctest/customers/{org}/inmail": func(r *http.Request, c *Customer) (any, error) {
			conv, err := c.SendInMail(q(r, "seat"), q(r, "member"), q(r, "subject"), q(r, "body"))
			return map[string]string{"conversation": conv}, err
		},
		"POST /_rsctest/customers/{org}/reply": func(r *http.Request, c *Customer) (any, error) {
			share, _ := strconv.ParseBool(q(r, "share"))
			return okTrue, c.ReplyInMail(q(r, "conversation"), q(r, "body"), share)
		},
		"POST /_rsctest/customers/{org}/prospectNotes": func(r *http.Request, c *Customer) (any, error) {
			id, err := c.WriteProspectNote(q(r, "seat"), q(r, "member"), q(r, "note"))
			return map[string]string{"id": id}, err
		},
		"POST /_rsctest/customers/{org}/prospectNotes/{id}/deactivate": func(r *http.Request, c *Customer) (any, error) {
			return okTrue, c.DeactivateProspectNote(r.PathValue("id"))
		},
	}
}
