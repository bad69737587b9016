// Package badinput holds the bad-input corpus suite for every validation rule. It has
// no code of its own: the suite lives in its tests.
//
// The corpus (corpus_test.go) is a Go table of records, one row per
// validation rule of docs/linkedin-api.md (each row cites its section,
// e.g. "7.2 candidate emailAddresses X@X.X") plus hostile data: 1 MB
// strings, invalid UTF-8, control characters and NUL, HTML and script in
// notes, malformed URNs and emails, timestamps in seconds or in the future
// (refused for a job's listedAt only), empty ids, ids full of
// Rest.li-special characters, and unicode. Rows are
// either bad (they must be refused, with a per-record error naming the
// record's key, the field and the rule) or hostile-but-valid (they must
// arrive at LinkedIn byte for byte).
//
// TestCorpusSync mixes every row with good records in one sync.SliceSource,
// runs the sync engine against rsc/rsctest and checks every dead letter and
// every record the fake holds; TestCorpusDryRun runs the dry-run mode on the
// same corpus and checks it reports the same client-side rejections while
// sending nothing. TestIsolatedRows runs alone the rows whose key would
// collide in a SliceSource or that abort a whole run;
// TestDuplicateKeysInOneBatch and TestDuplicateRecordsFromSource cover the
// same key twice in one call. A row LinkedIn's rules call invalid but that nothing
// rejects (or rejects without naming key, field and rule) carries a
// knownGap: the test logs it instead of failing, and fails once the gap is
// fixed so that the annotation is removed. Run:
//
//	go test -race -count=1 -v ./internal/badinput/
package badinput
