package dataset

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hone-ai/hone/backend/store"
)

// Each calls fn with every example of dataset id, in dataset order, reading
// one row at a time: memory stays constant whatever the dataset's size (the
// trainer encodes a dataset through it). A non-nil error from fn stops Each
// and is returned as is; a cancelled ctx stops it with ctx.Err().
func Each(ctx context.Context, st *store.Store, id int64, fn func(Example) error) error {
	if _, err := Get(ctx, st, id); err != nil {
		return err
	}
	db, err := sqlDB(st)
	if err != nil {
		return err
	}
	lo, hi := span(id)
	rows, err := db.QueryContext(ctx, `SELECT `+exampleColumns+` FROM examples WHERE id BETWEEN ? AND ? ORDER BY id`, lo, hi)
	if err != nil {
		return fmt.Errorf("dataset %d examples: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var e Example
		var msgs []byte
		if err := rows.Scan(&e.ID, &e.Seq, &msgs, &e.Label, &e.Text, &e.Line, &e.Chars); err != nil {
			return fmt.Errorf("dataset %d examples: %w", id, err)
		}
		if err := json.Unmarshal(msgs, &e.Messages); err != nil {
			return fmt.Errorf("dataset %d example %d: %w", id, e.Seq, err)
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("dataset %d examples: %w", id, err)
	}
	return nil
}
