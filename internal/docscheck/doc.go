// Package docscheck holds a test that keeps the repository's documentation
// honest: every section a Go comment cites resolves to a heading of
// docs/linkedin-api.md, no Go file points at material outside the repository
// or at an issue tracker entry by number, and every Go example in README.md is
// compiled from a test file.
package docscheck
