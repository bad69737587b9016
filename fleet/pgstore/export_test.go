package pgstore

// SetPageSize sets the number of dead letters s.List reads per query.
func SetPageSize(s *DeadLetters, n int) { s.pageSize = n }
