// Package sync streams an ATS's jobs, candidates, placements and activities
// to LinkedIn RSC: a one-time historical sync of the last two years, then
// incremental sync from per-phase watermarks, with resumable checkpoints,
// dead letters, dry runs, progress events and reconciliation.
//
// The package is named sync after the product area; import it with a name
// that does not shadow the standard library:
//
//	import rscsync "github.com/rscgo/rscgo/sync"
package sync
