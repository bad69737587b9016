package lease_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/rscgo/rscgo/fleet/lease"
	"github.com/rscgo/rscgo/fleet/pgstore"
	"github.com/rscgo/rscgo/rsc"
	rscsync "github.com/rscgo/rscgo/sync"
)

// A process works a customer only while it holds the customer's lease,
// renewing it every third of its TTL; its checkpoints and dead letters go
// through the lease's fence, so that once another process took the
// customer (this one stalled past the expiry) they are refused with a
// *LostError. Package riverrun does all this for River jobs; this is the
// wiring for another queue or a plain loop.
func ExampleLeases_Acquire() {
	// This example needs a PostgreSQL database: it is compiled, not run.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db, err := pgstore.Open(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	leases, err := lease.New(db, lease.WithTTL(time.Minute))
	if err != nil {
		log.Fatal(err)
	}

	host, _ := os.Hostname()
	l, err := leases.Acquire(ctx, "acme", fmt.Sprintf("%s-%d", host, os.Getpid()))
	var held *lease.HeldError
	if errors.As(err, &held) {
		log.Printf("acme is worked by %s until %v; try later", held.Holder, held.Until)
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	kept := make(chan error, 1)
	go func() { kept <- l.KeepAlive(ctx); cancel() }() // renew; stop working once the lease is lost
	// Stop renewing, then give the customer up.
	defer func() {
		cancel()
		<-kept
		l.Release(context.WithoutCancel(ctx))
	}()

	partner, err := rsc.NewClient(rsc.WithCredentials(os.Getenv("RSC_CLIENT_ID"), os.Getenv("RSC_CLIENT_SECRET")))
	if err != nil {
		log.Fatal(err)
	}
	client, err := partner.ForCustomer(customerCredentials("acme"))
	if err != nil {
		log.Fatal(err)
	}
	eng, err := rscsync.NewEngine(client, "acme", atsSource("acme"),
		rscsync.WithStore(db.Checkpoints().Fenced(l)), rscsync.WithDeadLetters(db.DeadLetters().Fenced(l)))
	if err != nil {
		log.Fatal(err)
	}
	_, err = eng.Run(ctx)
	var lost *lease.LostError
	if errors.As(err, &lost) {
		log.Printf("acme was taken over by %s: nothing more was committed", lost.Holder)
		return
	}
	if err != nil {
		log.Fatal(err)
	}
}

// customerCredentials stands in for the secret store holding the client id
// and secret of each customer's child application.
func customerCredentials(customerID string) (clientID, secret string) {
	return os.Getenv("RSC_CLIENT_ID_" + customerID), os.Getenv("RSC_CLIENT_SECRET_" + customerID)
}

// atsSource stands in for the ATS's records of a customer (see
// rscsync.Source, and github.com/rscgo/rscgo/sync/sqlsource for SQL databases).
func atsSource(customerID string) rscsync.Source { return rscsync.NewSliceSource() }
