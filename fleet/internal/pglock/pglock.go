// Package pglock serialises the schema migrations of the processes that
// share a database: pgstore's (pgstore.Migrate) and River's
// (riverrun.Migrate) take turns under one PostgreSQL advisory lock, so
// that workers starting together on a new database (a deployment, a
// rolling upgrade bringing new migrations) do not apply the same
// migration at once. See
// https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS.
package pglock

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Key is the advisory lock key of migrations.
const Key = 0x7273_6367_6f00 // "rscgo"

// InTx takes the lock in tx; it is released when tx ends. It waits while
// another process holds it.
func InTx(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, "select pg_advisory_xact_lock($1)", Key)
	return err
}

// Hold runs fn holding the lock, for work that runs transactions of its
// own on pool's database (River's migrator). The lock is held by a
// connection of its own, outside pool, so that fn has every connection of
// pool; it is released when fn returns, or when the connection ends.
func Hold(ctx context.Context, pool *pgxpool.Pool, fn func() error) error {
	conn, err := pgx.ConnectConfig(ctx, pool.Config().ConnConfig.Copy())
	if err != nil {
		return fmt.Errorf("connecting to take the migration lock: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx)) // ends the session, and its lock
	if _, err := conn.Exec(ctx, "select pg_advisory_lock($1)", Key); err != nil {
		return fmt.Errorf("taking the migration lock: %w", err)
	}
	return fn()
}
