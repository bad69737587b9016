package demo

import (
	"context"
	"errors"
	"fmt"

	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

// linkedIn is the LinkedIn side of the demo beyond the API the SDK calls:
// what people do in LinkedIn Recruiter (an admin enabling access, a
// recruiter exporting a member or sending an InMail, a member closing their
// account), simulated on a fake, and the fake's view of what LinkedIn holds
// for the reconciliation. Against real LinkedIn these are people, not calls.
type linkedIn interface {
	// customer returns the organization and contracts of a customer's
	// child application, as LinkedIn's widget would hand them over.
	customer(ctx context.Context, clientID string) (org string, contracts []string, err error)
	requestIntegrations(ctx context.Context, clientID string) error
	setAccess(ctx context.Context, clientID string, company, contract bool) error
	setProductSettings(ctx context.Context, clientID string, ps rsc.ProductSettings) error
	addMember(ctx context.Context, spec rsctest.MemberSpec) (rsctest.Member, error)
	addSeat(ctx context.Context, clientID, member string) (rsctest.Seat, error)
	export(ctx context.Context, clientID, seat, member, job string) (requestID string, err error)
	sendInMail(ctx context.Context, clientID, seat, member, subject, body string) (conversation string, err error)
	replyInMail(ctx context.Context, clientID, conversation, body string, share bool) error
	closeMemberAccount(ctx context.Context, person string) error
	// holds counts what LinkedIn holds for the customer.
	holds(ctx context.Context, clientID string) (counts, error)
}

// errNoAdmin means the server has no /_rsctest/ endpoints: it is not a
// fake, and the LinkedIn side must be done by people in Recruiter.
var errNoAdmin = errors.New("the server has no /_rsctest/ admin endpoints (not an rsctest fake)")

// counts are records per entity, in the order the sync sends them.
type counts struct {
	Jobs       int64 `json:"jobs"`
	Candidates int64 `json:"candidates"`
	Placements int64 `json:"placements"`
	Activities int64 `json:"activities"`
}

func countState(st rsctest.CustomerState) counts {
	return counts{
		Jobs:       int64(len(st.Jobs)),
		Candidates: int64(len(st.Candidates)),
		Placements: int64(len(st.Applications)),
		Activities: int64(len(st.CandidateNotes) + len(st.ApplicationNotes) + len(st.InterviewFeedback)),
	}
}

// simOp is one simulated LinkedIn-side action. The in-process fake journals
// it and replays it after a restart, so it is plain data.
type simOp struct {
	Op       string               `json:"op"`
	Client   string               `json:"client,omitempty"`
	Member   *rsctest.MemberSpec  `json:"member,omitempty"`
	Settings *rsc.ProductSettings `json:"settings,omitempty"`
	Args     []string             `json:"args,omitempty"`
	Flags    []bool               `json:"flags,omitempty"`
}

// apply performs op on the in-process fake and returns its result (an id,
// a member or a seat).
func (op simOp) apply(s *rsctest.Server) (any, error) {
	if op.Op == "addMember" {
		return s.AddMember(*op.Member), nil
	}
	if op.Op == "closeMember" {
		return nil, s.CloseMemberAccount(op.Args[0])
	}
	cu := s.Customer(op.Client)
	if cu == nil {
		return nil, fmt.Errorf("demo: the fake has no customer %q", op.Client)
	}
	switch op.Op {
	case "request":
		return cu.RequestIntegrations(), nil
	case "access":
		cu.SetCompanyAccess(op.Flags[0])
		return cu.SetContractAccess(op.Flags[1]), nil
	case "settings":
		return cu.SetProductSettings(*op.Settings), nil
	case "seat":
		return cu.AddSeat(rsctest.SeatSpec{Member: op.Args[0]})
	case "export":
		return cu.Export(op.Args[0], op.Args[1], op.Args[2])
	case "inmail":
		return cu.SendInMail(op.Args[0], op.Args[1], op.Args[2], op.Args[3])
	case "reply":
		return nil, cu.ReplyInMail(op.Args[0], op.Args[1], op.Flags[0])
	}
	return nil, fmt.Errorf("demo: unknown simulated action %q", op.Op)
}

// ---- the in-process fake ----

// localFake is rsctest running inside the demo. Every request it serves
// and every simulated action goes through one lock and into the journal
// (see journal.go), which stands in for LinkedIn's durable state across
// restarts.
type localFake struct {
	srv *rsctest.Server
	j   *journal
}

func (f *localFake) do(op simOp) (any, error) {
	var out any
	err := f.j.act(op, func() error {
		var err error
		out, err = op.apply(f.srv)
		return err
	})
	return out, err
}

func (f *localFake) customer(_ context.Context, clientID string) (string, []string, error) {
	cu := f.srv.Customer(clientID)
	if cu == nil {
		return "", nil, fmt.Errorf("demo: the fake has no customer %q", clientID)
	}
	return cu.Organization, cu.Contracts, nil
}

func (f *localFake) requestIntegrations(_ context.Context, clientID string) error {
	_, err := f.do(simOp{Op: "request", Client: clientID})
	return err
}

func (f *localFake) setAccess(_ context.Context, clientID string, company, contract bool) error {
	_, err := f.do(simOp{Op: "access", Client: clientID, Flags: []bool{company, contract}})
	return err
}

func (f *localFake) setProductSettings(_ context.Context, clientID string, ps rsc.ProductSettings) error {
	_, err := f.do(simOp{Op: "settings", Client: clientID, Settings: &ps})
	return err
}

func (f *localFake) addMember(_ context.Context, spec rsctest.MemberSpec) (rsctest.Member, error) {
	out, err := f.do(simOp{Op: "addMember", Member: &spec})
	if err != nil {
		return rsctest.Member{}, err
	}
	return out.(rsctest.Member), nil
}

func (f *localFake) addSeat(_ context.Context, clientID, member string) (rsctest.Seat, error) {
	out, err := f.do(simOp{Op: "seat", Client: clientID, Args: []string{member}})
	if err != nil {
		return rsctest.Seat{}, err
	}
	return out.(rsctest.Seat), nil
}

func (f *localFake) export(_ context.Context, clientID, seat, member, job string) (string, error) {
	out, err := f.do(simOp{Op: "export", Client: clientID, Args: []string{seat, member, job}})
	if err != nil {
		return "", err
	}
	return out.(string), nil
}

func (f *localFake) sendInMail(_ context.Context, clientID, seat, member, subject, body string) (string, error) {
	out, err := f.do(simOp{Op: "inmail", Client: clientID, Args: []string{seat, member, subject, body}})
	if err != nil {
		return "", err
	}
	return out.(string), nil
}

func (f *localFake) replyInMail(_ context.Context, clientID, conversation, body string, share bool) error {
	_, err := f.do(simOp{Op: "reply", Client: clientID, Args: []string{conversation, body}, Flags: []bool{share}})
	return err
}

func (f *localFake) closeMemberAccount(_ context.Context, person string) error {
	_, err := f.do(simOp{Op: "closeMember", Args: []string{person}})
	return err
}

func (f *localFake) holds(_ context.Context, clientID string) (counts, error) {
	cu := f.srv.Customer(clientID)
	if cu == nil {
		return counts{}, fmt.Errorf("demo: the fake has no customer %q", clientID)
	}
	return countState(cu.Snapshot()), nil
}
