// Package readme compiles the code examples of the repository's README.md
// that belong to no other package's tests (the adapter examples are
// examples/smallats's).
//
// Each example is copied verbatim (up to leading tabs) from a function in a
// test file; internal/docscheck fails when README.md holds a Go block that no
// test file contains. Change an example here first, then copy it into
// README.md.
package readme
