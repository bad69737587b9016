package rsctest

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
)

// Admin endpoints under /_rsctest/ let a demo or curl drive the LinkedIn side
// of a running fake (cmd/rscfake). They need no token. {org} is an
// organization URN, its numeric id, or the customer's client id.
//
//	GET  /_rsctest/state                                   every customer's state (JSON)
//	GET  /_rsctest/requests                                request log
//	GET  /_rsctest/pushes                                  push events
//	POST /_rsctest/pushes/deliver                          deliver pending pushes
//	POST /_rsctest/customers                               add a customer (JSON CustomerSpec)
//	GET  /_rsctest/customers/{org}                         one customer's state
//	POST /_rsctest/customers/{org}/request                 admin requests the integrations in the widget
//	POST /_rsctest/customers/{org}/notify                  admin presses "Notify partner"
//	POST /_rsctest/customers/{org}/enable?company=true&contract=true   (false disables)
//	POST /_rsctest/customers/{org}/settings                JSON ProductSettings
//	POST /_rsctest/customers/{org}/seats?member=urn         give a member a seat
//	POST /_rsctest/customers/{org}/export?seat=&member=&job=
//	POST /_rsctest/customers/{org}/inmail?seat=&member=&subject=&body=
//	POST /_rsctest/customers/{org}/reply?conversation=&body=&share=true
//	POST /_rsctest/customers/{org}/prospectNotes?seat=&member=&note=
//	POST /_rsctest/customers/{org}/prospectNotes/{id}/deactivate
//	POST /_rsctest/members                                 add a member (JSON MemberSpec)
//	POST /_rsctest/members/{person}/close                  member closes their account
//	POST /_rsctest/tokens/revoke?clientId=                 revoke a client's tokens
//	POST /_rsctest/faults                                  replace fault rules (JSON []Fault)
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	s.adminOnce.Do(s.buildAdmin)
	s.admin.ServeHTTP(w, r)
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

func (s *Server) buildAdmin() {
	mux := http.NewServeMux()
	ok := func(w http.ResponseWriter, v any) { writeJSON(w, http.StatusOK, v) }
	fail := func(w http.ResponseWriter, err error) {
		status := http.StatusBadRequest
		switch {
		case errors.Is(err, ErrExportQuota):
			status = http.StatusTooManyRequests
		case errors.Is(err, ErrUnknownMember), errors.Is(err, ErrUnknownSeat), errors.Is(err, ErrUnknownConversation), errors.Is(err, ErrUnknownNote):
			status = http.StatusNotFound
		}
		writeError(w, status, err.Error())
	}
	cust := func(h func(http.ResponseWriter, *http.Request, *Customer)) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			c := s.resolveCustomer(r.PathValue("org"))
			if c == nil {
				writeError(w, http.StatusNotFound, "no customer "+r.PathValue("org"))
				return
			}
			h(w, r, c)
		}
	}
	q := func(r *http.Request, n string) string { return r.URL.Query().Get(n) }

	mux.HandleFunc("GET /_rsctest/state", func(w http.ResponseWriter, r *http.Request) { ok(w, s.State()) })
	mux.HandleFunc("GET /_rsctest/requests", func(w http.ResponseWriter, r *http.Request) { ok(w, s.Requests()) })
	mux.HandleFunc("GET /_rsctest/pushes", func(w http.ResponseWriter, r *http.Request) { ok(w, s.Pushes()) })
	mux.HandleFunc("POST /_rsctest/pushes/deliver", func(w http.ResponseWriter, r *http.Request) {
		n, err := s.DeliverPushes(r.Context())
		res := map[string]any{"delivered": n}
		if err != nil {
			res["error"] = err.Error()
		}
		ok(w, res)
	})
	mux.HandleFunc("POST /_rsctest/customers", func(w http.ResponseWriter, r *http.Request) {
		var spec CustomerSpec
		if err := json.NewDecoder(r.Body).Decode(&spec); err != nil {
			fail(w, err)
			return
		}
		ok(w, s.AddCustomer(spec).Snapshot())
	})
	mux.HandleFunc("GET /_rsctest/customers/{org}", cust(func(w http.ResponseWriter, r *http.Request, c *Customer) { ok(w, c.Snapshot()) }))
	mux.HandleFunc("POST /_rsctest/customers/{org}/request", cust(func(w http.ResponseWriter, r *http.Request, c *Customer) {
		ok(w, map[string]string{"requestId": c.RequestIntegrations()})
	}))
	mux.HandleFunc("POST /_rsctest/customers/{org}/notify", cust(func(w http.ResponseWriter, r *http.Request, c *Customer) {
		ok(w, map[string]string{"requestId": c.NotifyPartner()})
	}))
	mux.HandleFunc("POST /_rsctest/customers/{org}/enable", cust(func(w http.ResponseWriter, r *http.Request, c *Customer) {
		var ids []string
		if v := q(r, "company"); v != "" {
			ids = append(ids, c.SetCompanyAccess(v == "true"))
		}
		if v := q(r, "contract"); v != "" {
			ids = append(ids, c.SetContractAccess(v == "true"))
		}
		ok(w, map[string]any{"requestIds": ids, "integrations": c.Integrations()})
	}))
	mux.HandleFunc("POST /_rsctest/customers/{org}/settings", cust(func(w http.ResponseWriter, r *http.Request, c *Customer) {
		ps := c.ProductSettings()
		if err := json.NewDecoder(r.Body).Decode(&ps); err != nil {
			fail(w, err)
			return
		}
		ok(w, map[string]string{"requestId": c.SetProductSettings(ps)})
	}))
	mux.HandleFunc("POST /_rsctest/customers/{org}/seats", cust(func(w http.ResponseWriter, r *http.Request, c *Customer) {
		st, err := c.AddSeat(SeatSpec{Member: q(r, "member"), Contract: q(r, "contract"), State: q(r, "state")})
		if err != nil {
			fail(w, err)
			return
		}
		ok(w, st)
	}))
	mux.HandleFunc("POST /_rsctest/customers/{org}/export", cust(func(w http.ResponseWriter, r *http.Request, c *Customer) {
		id, err := c.Export(q(r, "seat"), q(r, "member"), q(r, "job"))
		if err != nil {
			fail(w, err)
			return
		}
		ok(w, map[string]string{"requestId": id})
	}))
	mux.HandleFunc("POST /_rsctest/customers/{org}/inmail", cust(func(w http.ResponseWriter, r *http.Request, c *Customer) {
		conv, err := c.SendInMail(q(r, "seat"), q(r, "member"), q(r, "subject"), q(r, "body"))
		if err != nil {
			fail(w, err)
			return
		}
		ok(w, map[string]string{"conversation": conv})
	}))
	mux.HandleFunc("POST /_rsctest/customers/{org}/reply", cust(func(w http.ResponseWriter, r *http.Request, c *Customer) {
		share, _ := strconv.ParseBool(q(r, "share"))
		if err := c.ReplyInMail(q(r, "conversation"), q(r, "body"), share); err != nil {
			fail(w, err)
			return
		}
		ok(w, map[string]bool{"ok": true})
	}))
	mux.HandleFunc("POST /_rsctest/customers/{org}/prospectNotes", cust(func(w http.ResponseWriter, r *http.Request, c *Customer) {
		id, err := c.WriteProspectNote(q(r, "seat"), q(r, "member"), q(r, "note"))
		if err != nil {
			fail(w, err)
			return
		}
		ok(w, map[string]string{"id": id})
	}))
	mux.HandleFunc("POST /_rsctest/customers/{org}/prospectNotes/{id}/deactivate", cust(func(w http.ResponseWriter, r *http.Request, c *Customer) {
		if err := c.DeactivateProspectNote(r.PathValue("id")); err != nil {
			fail(w, err)
			return
		}
		ok(w, map[string]bool{"ok": true})
	}))
	mux.HandleFunc("POST /_rsctest/members", func(w http.ResponseWriter, r *http.Request) {
		var spec MemberSpec
		if err := json.NewDecoder(r.Body).Decode(&spec); err != nil {
			fail(w, err)
			return
		}
		ok(w, s.AddMember(spec))
	})
	mux.HandleFunc("POST /_rsctest/members/{person}/close", func(w http.ResponseWriter, r *http.Request) {
		p := r.PathValue("person")
		if !strings.HasPrefix(p, "urn:") {
			p = "urn:li:person:" + p
		}
		if err := s.CloseMemberAccount(p); err != nil {
			fail(w, err)
			return
		}
		ok(w, map[string]bool{"ok": true})
	})
	mux.HandleFunc("POST /_rsctest/tokens/revoke", func(w http.ResponseWriter, r *http.Request) {
		ok(w, map[string]int{"revoked": s.RevokeTokens(q(r, "clientId"))})
	})
	mux.HandleFunc("POST /_rsctest/faults", func(w http.ResponseWriter, r *http.Request) {
		var fs []Fault
		if err := json.NewDecoder(r.Body).Decode(&fs); err != nil {
			fail(w, err)
			return
		}
		s.SetFaults(fs...)
		ok(w, map[string]int{"rules": len(fs)})
	})
	s.admin = mux
}
