package pgstore

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// SetPageSize sets the number of dead letters s.List reads per query.
func SetPageSize(s *DeadLetters, n int) { s.pageSize = n }

// MigrateTo brings the schema up to version upTo only.
func MigrateTo(ctx context.Context, pool *pgxpool.Pool, upTo int) error {
	return migrate(ctx, pool, upTo)
}

// ConnectTimeout is the connection timeout Open would use for url.
func ConnectTimeout(url string) (time.Duration, error) {
	cfg, err := parseConfig(url)
	if err != nil {
		return 0, err
	}
	return cfg.ConnConfig.ConnectTimeout, nil
}
