package rsctest

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// MemberSpec describes a simulated LinkedIn member. Empty Person gets
// "urn:li:person:m{n}"; empty ProfileURL is derived from the person id.
type MemberSpec struct {
	Person     string
	FirstName  string
	LastName   string
	Email      string
	Phone      string
	ProfileURL string
	Headline   string
	Location   string
}

// Member is a simulated LinkedIn member.
type Member struct {
	MemberSpec
	// Closed reports that the member closed their account at ClosedAt.
	Closed   bool
	ClosedAt time.Time
}

type member struct{ Member }

// AddMember registers a simulated LinkedIn member. Candidates synced with a
// matching email (case-insensitive) get the member in matchedMembers.
func (s *Server) AddMember(spec MemberSpec) Member {
	s.memMu.Lock()
	defer s.memMu.Unlock()
	s.memberSeq++
	if spec.Person == "" {
		spec.Person = fmt.Sprintf("urn:li:person:m%d", s.memberSeq)
	}
	if spec.ProfileURL == "" {
		spec.ProfileURL = "https://www.linkedin.com/in/" + strings.TrimPrefix(spec.Person, "urn:li:person:")
	}
	m := &member{Member{MemberSpec: spec}}
	if _, dup := s.members[spec.Person]; !dup {
		s.memOrder = append(s.memOrder, spec.Person)
	}
	s.members[spec.Person] = m
	if spec.Email != "" {
		s.byEmail[strings.ToLower(spec.Email)] = spec.Person
	}
	return m.Member
}

// Member returns the simulated member with the person URN.
func (s *Server) Member(person string) (Member, bool) {
	s.memMu.RLock()
	defer s.memMu.RUnlock()
	m, ok := s.members[person]
	if !ok {
		return Member{}, false
	}
	return m.Member, true
}

// Members returns every simulated member in creation order.
func (s *Server) Members() []Member {
	s.memMu.RLock()
	defer s.memMu.RUnlock()
	out := make([]Member, 0, len(s.memOrder))
	for _, p := range s.memOrder {
		out = append(out, s.members[p].Member)
	}
	return out
}

// matchMembers returns the open members whose email is in emails (sorted).
func (s *Server) matchMembers(emails []string) []string {
	out := []string{}
	if len(emails) == 0 {
		return out
	}
	s.memMu.RLock()
	for _, e := range emails {
		if p, ok := s.byEmail[e]; ok && !s.members[p].Closed && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	s.memMu.RUnlock()
	slices.Sort(out)
	return out
}

// CloseMemberAccount simulates a member deleting their LinkedIn account. Every
// customer holding a candidate linked to the member (manualMatchedMember, or
// matched by email) gets a closed-profile entry (D1), and the member no longer
// matches candidates.
func (s *Server) CloseMemberAccount(person string) error {
	now := s.now()
	s.memMu.Lock()
	m, ok := s.members[person]
	if !ok {
		s.memMu.Unlock()
		return ErrUnknownMember
	}
	m.Closed, m.ClosedAt = true, now
	email := strings.ToLower(m.Email)
	s.memMu.Unlock()
	for _, cu := range s.Customers() {
		cu.mu.Lock()
		byCtx := map[string][]string{}
		for _, r := range cu.tables[candidateKind.table].recs {
			if r.manual == person || (email != "" && slices.Contains(r.emails, email)) {
				ctx := r.fields.get("integrationContext")
				byCtx[ctx] = append(byCtx[ctx], r.fields.get("atsCandidateId"))
			}
		}
		ctxs := make([]string, 0, len(byCtx))
		for ctx := range byCtx {
			ctxs = append(ctxs, ctx)
		}
		slices.Sort(ctxs)
		for _, ctx := range ctxs {
			ids := byCtx[ctx]
			slices.Sort(ids)
			cu.closed = append(cu.closed, ClosedProfile{Member: person, AtsCandidateIDs: ids, ClosedAt: now.UnixMilli(), IntegrationContext: ctx})
		}
		cu.mu.Unlock()
	}
	return nil
}
