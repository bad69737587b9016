package tracker

// placement_stages → []rsc.Stage: an application carries its whole stage
// history, read for a page of placements in one query.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/rscgo/rscgo/rsc"
	rscsync "github.com/rscgo/rscgo/sync"
)

// stagesQuery reads the stage history of a page of placements in one query
// (the placeholders are filled in by the caller).
const stagesQuery = `SELECT placement_id, id, stage, created_at FROM placement_stages
	WHERE placement_id IN (%s) ORDER BY placement_id, created_at, id`

// withStages reads the stage histories of a page of placements in one
// query and returns the page's applications.
func (s *Source) withStages(ctx context.Context, page []placementRow) (_ []rscsync.Application, err error) {
	ids := make([]any, len(page))
	for i, r := range page {
		ids[i] = r.id
	}
	rows, err := s.db.sql.QueryContext(ctx, fmt.Sprintf(stagesQuery, placeholders(len(ids))), ids...)
	if err != nil {
		return nil, fmt.Errorf("tracker: placement stages: %w", err)
	}
	defer func() { err = errors.Join(err, rows.Close()) }()
	stages := make(map[string][]rsc.Stage, len(page))
	for rows.Next() {
		r, err := scanStage(rows)
		if err != nil {
			return nil, fmt.Errorf("tracker: placement stages: %w", err)
		}
		stages[r.placementID] = append(stages[r.placementID], toStage(r))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("tracker: placement stages: %w", err)
	}
	out := make([]rscsync.Application, len(page))
	for i, r := range page {
		out[i] = s.toPlacement(r, stages[r.id])
	}
	return out, nil
}

type stageRow struct {
	placementID, id, stage string
	createdAt              int64
}

func scanStage(rows *sql.Rows) (stageRow, error) {
	var r stageRow
	err := rows.Scan(&r.placementID, &r.id, &r.stage, &r.createdAt)
	return r, err
}

func toStage(r stageRow) rsc.Stage {
	return rsc.Stage{ID: r.id, Stage: r.stage, CreatedAt: rsc.EpochMillis(r.createdAt)}
}
