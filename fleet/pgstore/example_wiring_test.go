package pgstore_test

import (
	"context"
	"log"
	"os"

	"github.com/rscgo/rscgo/fleet/pgstore"
	"github.com/rscgo/rscgo/onboarding"
	"github.com/rscgo/rscgo/rsc"
	rscsync "github.com/rscgo/rscgo/sync"
)

// Open connects to PostgreSQL and brings the schema up to date; each store
// then plugs into the option of its package, so that every process of the
// fleet shares the onboarding states, the sync checkpoints and dead
// letters, the InMail cursors and the milestone events.
func ExampleOpen() {
	// This example needs a PostgreSQL database: it is compiled, not run.
	ctx := context.Background()
	db, err := pgstore.Open(ctx, os.Getenv("DATABASE_URL")) // postgres://user:password@host/db
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	partner, err := rsc.NewClient(rsc.WithCredentials(os.Getenv("RSC_CLIENT_ID"), os.Getenv("RSC_CLIENT_SECRET")))
	if err != nil {
		log.Fatal(err)
	}
	flow, err := onboarding.NewFlow(onboarding.FlowConfig{Partner: partner, ATSName: "Tracker",
		PushBase: "https://ats.example.com/rsc/push", Domains: []string{"https://ats.example.com"}},
		onboarding.WithStateStore(db.OnboardingStates()))
	if err != nil {
		log.Fatal(err)
	}

	client, err := flow.CustomerClient(ctx, onboarding.Instance{CustomerID: "acme"})
	if err != nil {
		log.Fatal(err)
	}
	eng, err := rscsync.NewEngine(client, "acme", atsSource("acme"),
		rscsync.WithStore(db.Checkpoints()), rscsync.WithDeadLetters(db.DeadLetters()))
	if err != nil {
		log.Fatal(err)
	}
	if _, err := eng.Run(ctx); err != nil {
		log.Fatal(err)
	}
	// Likewise inmail.New(cfg, inmail.WithCursorStore(db.InMailCursors())),
	// and db.MilestoneEvents() as the milestones.EventStore.
}

// atsSource stands in for the ATS's records of a customer (see
// rscsync.Source, and github.com/rscgo/rscgo/sync/sqlsource for SQL databases).
func atsSource(customerID string) rscsync.Source { return rscsync.NewSliceSource() }
