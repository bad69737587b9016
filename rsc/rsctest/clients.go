package rsctest

import (
	"errors"

	"github.com/rscgo/rscgo/rsc"
)

// PartnerClient returns an rsc client for the partner (parent) application,
// for provisioning. It talks to the server in-process through Transport (no
// sockets, usable inside a testing/synctest bubble); pass rsc.WithTransport
// or rsc.WithHTTPClient in opts to go over the network instead. Retries are
// kept but client-side pacing follows the server's limits only when opts
// say so.
func (s *Server) PartnerClient(opts ...rsc.Option) (*rsc.Client, error) {
	id, secret := s.PartnerCredentials()
	return rsc.NewClient(s.clientOptions(id, secret, opts)...)
}

// CustomerClient returns an rsc client for a customer's child application.
// See PartnerClient for the transport.
func (s *Server) CustomerClient(c *Customer, opts ...rsc.Option) (*rsc.Client, error) {
	if c == nil {
		return nil, errors.New("rsctest: CustomerClient: nil customer")
	}
	return rsc.NewClient(s.clientOptions(c.ClientID, c.ClientSecret, opts)...)
}

func (s *Server) clientOptions(id, secret string, opts []rsc.Option) []rsc.Option {
	base := []rsc.Option{
		rsc.WithBaseURL(s.URL()),
		rsc.WithTokenURL(s.TokenURL()),
		rsc.WithCredentials(id, secret),
		rsc.WithTransport(s.Transport()),
	}
	return append(base, opts...)
}
