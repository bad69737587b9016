package console

// MaxFormBytes is the bound of a request's body, for the tests.
const MaxFormBytes = maxFormBytes
