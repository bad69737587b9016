// Command rscfake serves the fake LinkedIn RSC API of package rsctest on a
// fixed address, with one pre-provisioned customer, for demos and manual
// testing with curl. Push events are delivered in the background. A flag
// value the fake refuses (an empty -partner-id, a -token-ttl that is not a
// positive whole number of seconds, a malformed -org) exits 2 with the
// reason.
//
//	go run ./rsc/rsctest/cmd/rscfake -addr 127.0.0.1:8080
//
// Besides the API (/v2/..., /rest/..., /oauth/v2/accessToken) it serves the
// admin endpoints under /_rsctest/, which the rsctest package documentation
// lists ("Driving a running fake", with the steps of onboarding a customer).
// Like LinkedIn, it refuses a record holding a field its resource's schema
// does not have (403 "Unpermitted fields present in REQUEST_BODY");
// -lenient-fields stores such fields instead, for extension fields.
// They answer only requests for a loopback Host, POSTs must be JSON, and
// -admin-token adds a bearer token, so that a web page open in the same
// browser cannot drive them, e.g.
//
//	curl -X POST -H 'Content-Type: application/json' 'http://127.0.0.1:8080/_rsctest/customers/1000/request'
//	curl -X POST -H 'Content-Type: application/json' 'http://127.0.0.1:8080/_rsctest/customers/1000/enable?company=true&contract=true'
//	curl 'http://127.0.0.1:8080/_rsctest/state'
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/rscgo/rscgo/rsc/rsctest"
	"github.com/rscgo/rscgo/rsc/rsctest/internal/customerspec"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	partnerID := flag.String("partner-id", "partner-client-id", "parent (partner) application client id")
	partnerSecret := flag.String("partner-secret", "partner-client-secret", "parent (partner) application client secret")
	clientID := flag.String("client-id", "customer-client-id", "pre-provisioned customer's client id")
	clientSecret := flag.String("client-secret", "customer-client-secret", "pre-provisioned customer's client secret")
	foreignID := flag.String("foreign-id", "demo-customer", "pre-provisioned customer's uniqueForeignId")
	org := flag.String("org", "urn:li:organization:1000", "pre-provisioned customer's organization URN")
	contracts := flag.String("contracts", "urn:li:contract:5000", "pre-provisioned customer's contract URNs, comma-separated")
	seed := flag.Int64("seed", 1, "random seed (tokens, ids, faults)")
	tokenTTL := flag.Duration("token-ttl", 1800*time.Second, "access token lifetime, a whole number of seconds")
	noThrottle := flag.Bool("no-throttle", false, "switch all throttles off")
	adminToken := flag.String("admin-token", "", "require Authorization: Bearer <token> on the /_rsctest/ admin API")
	lenientFields := flag.Bool("lenient-fields", false, "store fields the resources' schemas do not have instead of refusing them (403)")
	flag.Parse()
	spec, err := customerSpec(*clientID, *clientSecret, *foreignID, *org, *contracts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "rscfake:", err)
		os.Exit(2)
	}
	var opts []rsctest.Option
	if *lenientFields {
		opts = append(opts, rsctest.WithLenientFields())
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	l, err := net.Listen("tcp", *addr)
	if err == nil {
		err = run(ctx, os.Stdout, l, *partnerID, *partnerSecret, spec, *seed, *tokenTTL, *noThrottle, *adminToken, opts...)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "rscfake:", err)
		if _, bad := errors.AsType[badFlagError](err); bad {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// badFlagError is rsctest.New's refusal of an option that a flag set (an
// empty -partner-id, a -token-ttl that is not a positive whole number of
// seconds, ...): the command exits 2, as for a flag it cannot parse.
type badFlagError struct{ err error }

func (e badFlagError) Error() string { return e.err.Error() }

func (e badFlagError) Unwrap() error { return e.err }

// customerSpec is the pre-provisioned customer the flags describe:
// contracts is a comma-separated list (spaces around each URN ignored).
// It refuses what the admin API refuses (customerspec.Check), as
// AddCustomer does not.
func customerSpec(clientID, clientSecret, foreignID, org, contracts string) (rsctest.CustomerSpec, error) {
	spec := rsctest.CustomerSpec{ClientID: clientID, ClientSecret: clientSecret, UniqueForeignID: foreignID, Organization: org}
	if strings.TrimSpace(contracts) != "" {
		for k := range strings.SplitSeq(contracts, ",") {
			spec.Contracts = append(spec.Contracts, strings.TrimSpace(k))
		}
	}
	if err := customerspec.Check(clientID, clientSecret, foreignID, "", "", nil); err != nil {
		return spec, fmt.Errorf("-client-id, -client-secret, -foreign-id: %v", err)
	}
	if err := customerspec.Check("", "", "", "", org, nil); err != nil {
		return spec, fmt.Errorf("-org %q: %v", org, err)
	}
	for _, k := range spec.Contracts {
		if err := customerspec.Check("", "", "", "", "", []string{k}); err != nil {
			return spec, fmt.Errorf("-contracts: %q: %v", k, err)
		}
	}
	return spec, nil
}

// run serves on l until ctx ends, printing the address and the (fake)
// credentials to out. opts are added to the server's options; adminToken
// "" means an admin API without a token. When rsctest.New refuses an
// option, run closes l and returns a badFlagError.
func run(ctx context.Context, out io.Writer, l net.Listener, partnerID, partnerSecret string, spec rsctest.CustomerSpec, seed int64, ttl time.Duration, noThrottle bool, adminToken string, opts ...rsctest.Option) error {
	base := []rsctest.Option{
		rsctest.WithListener(l),
		rsctest.WithPartner(partnerID, partnerSecret),
		rsctest.WithSeed(seed),
		rsctest.WithTokenTTL(ttl),
		rsctest.WithPushMode(rsctest.PushBackground),
		rsctest.WithLimits(rsctest.Limits{Disabled: noThrottle}),
	}
	if adminToken != "" {
		base = append(base, rsctest.WithAdminToken(adminToken))
	}
	srv, err := rsctest.New(append(base, opts...)...)
	if err != nil {
		l.Close()
		return badFlagError{err}
	}
	cust := srv.AddCustomer(spec)
	fmt.Fprintf(out, "rscfake serving on %s\n", srv.URL())
	fmt.Fprintf(out, "  API base:        %s/v2  and  %s/rest (LinkedIn-Version: YYYYMM)\n", srv.URL(), srv.URL())
	fmt.Fprintf(out, "  token URL:       %s\n", srv.TokenURL())
	fmt.Fprintf(out, "  partner:         client_id=%s client_secret=%s\n", partnerID, partnerSecret)
	fmt.Fprintf(out, "  customer:        client_id=%s client_secret=%s uniqueForeignId=%s appKey=%s\n",
		cust.ClientID, cust.ClientSecret, cust.UniqueForeignID, cust.AppKey)
	fmt.Fprintf(out, "  organization:    %s\n  contracts:       %s\n", cust.Organization, strings.Join(cust.Contracts, ","))
	auth := "no token"
	if adminToken != "" {
		auth = "Authorization: Bearer <-admin-token>"
	}
	fmt.Fprintf(out, "  admin:           %s/_rsctest/state (loopback Host, JSON POSTs, %s)\n", srv.URL(), auth)

	<-ctx.Done()
	fmt.Fprintln(out, "rscfake: shutting down")
	srv.Close()
	return nil
}
