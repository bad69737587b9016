package pgstore

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"
)

// SetPageSize sets the number of dead letters s.List reads per query.
func SetPageSize(s *DeadLetters, n int) { s.pageSize = n }

// MigrateTo brings the schema up to version upTo only.
func MigrateTo(ctx context.Context, pool *pgxpool.Pool, upTo int) error {
	return migrate(ctx, pool, upTo)
}
