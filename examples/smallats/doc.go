// Package smallats is the adapter of README's "Write your own adapter": a
// small ATS over SQLite, its sync.Source written with package
// sync/sqlsource, the validation of its records before a first sync, and
// that first sync against the fake LinkedIn of rsc/rsctest. The code is in
// the package's test files, from which README.md copies it verbatim, so
// the README's example always compiles and runs.
package smallats
