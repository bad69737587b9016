// Package readme compiles the code examples of the repository's README.md.
//
// Each example is copied verbatim (up to leading tabs) from a function in this
// package's test files; internal/docscheck fails when README.md holds a Go
// block that no test file contains. Change an example here first, then copy it
// into README.md.
package readme
