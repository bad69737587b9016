// Package fleetproof holds the fleet proof, a test: worker processes
// (cmd/rscworker) share a generated fleet of customers (internal/fleetgen)
// through one PostgreSQL database, against the standalone fake
// (rsc/rsctest/cmd/rscfake) behind a proxy that records which process sent
// what. Workers are SIGKILLed at seeded random times and restarted, and
// one is SIGSTOPped past its lease and resumed. The proof then checks,
// for every customer, that LinkedIn's fake holds exactly the ATS's records
// (content-level reconciliation: none missing, extra or stale), that no
// two processes worked the customer at once except a process whose
// writes the lease's fence refused, and that re-sent records stay within
// the documented bound: the batches in flight (-in-flight, 2 batches of 100
// records) of each slice a fault interrupted.
//
//	go -C fleet test -race -run TestFleetProof -v ./internal/fleetproof          # 120 customers, 12 kills
//	RSCGO_FLEET_LONG=1 go -C fleet test -race -timeout 90m -run TestFleetProof -v ./internal/fleetproof   # 1,000 customers
//
// PostgreSQL comes from RSCGO_POSTGRES_URL or a throwaway cluster (see
// internal/pgtest).
package fleetproof
