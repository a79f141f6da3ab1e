package dataset

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/hone-ai/hone/backend/store"
)

// Page is a window of a dataset's examples.
type Page struct {
	Total    int64     `json:"total"` // examples matching the search
	Examples []Example `json:"examples"`
}

const exampleColumns = `id, seq, messages, label, text, line, chars`

func scanExamples(rows *sql.Rows) ([]Example, error) {
	defer rows.Close()
	out := []Example{}
	for rows.Next() {
		var e Example
		var msgs []byte
		if err := rows.Scan(&e.ID, &e.Seq, &msgs, &e.Label, &e.Text, &e.Line, &e.Chars); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(msgs, &e.Messages); err != nil {
			return nil, fmt.Errorf("example %d: %w", e.ID, err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Examples returns examples offset..offset+limit of dataset id in order,
// those whose text or label contains search when it is not empty.
func Examples(ctx context.Context, st *store.Store, id int64, search string, offset, limit int) (Page, error) {
	if _, err := Get(ctx, st, id); err != nil {
		return Page{}, err
	}
	if limit < 1 || limit > 1000 || offset < 0 {
		return Page{}, fmt.Errorf("examples: offset %d, limit %d: want offset ≥ 0 and limit 1..1000", offset, limit)
	}
	db, err := sqlDB(st)
	if err != nil {
		return Page{}, err
	}
	lo, hi := span(id)
	where, args := `id BETWEEN ? AND ?`, []any{lo, hi}
	if search != "" {
		// LIKE over the stored JSON: quotes and backslashes are escaped
		// there, so search for the escaped form.
		q, _ := json.Marshal(search)
		pattern := "%" + likeEscape(string(q[1:len(q)-1])) + "%"
		where += ` AND (messages LIKE ? ESCAPE '\' OR label LIKE ? ESCAPE '\')`
		args = append(args, pattern, pattern)
	}
	var p Page
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM examples WHERE `+where, args...).Scan(&p.Total); err != nil {
		return Page{}, fmt.Errorf("dataset %d examples: %w", id, err)
	}
	rows, err := db.QueryContext(ctx, `SELECT `+exampleColumns+` FROM examples WHERE `+where+` ORDER BY id LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return Page{}, fmt.Errorf("dataset %d examples: %w", id, err)
	}
	if p.Examples, err = scanExamples(rows); err != nil {
		return Page{}, fmt.Errorf("dataset %d examples: %w", id, err)
	}
	return p, nil
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// ExamplesByID returns the given examples of dataset id, in dataset order:
// the examples behind a finding.
func ExamplesByID(ctx context.Context, st *store.Store, id int64, ids []int64) ([]Example, error) {
	if len(ids) == 0 {
		return []Example{}, nil
	}
	if len(ids) > 1000 {
		ids = ids[:1000]
	}
	db, err := sqlDB(st)
	if err != nil {
		return nil, err
	}
	lo, hi := span(id)
	args := []any{lo, hi}
	for _, e := range ids {
		args = append(args, e)
	}
	rows, err := db.QueryContext(ctx, `SELECT `+exampleColumns+` FROM examples WHERE id BETWEEN ? AND ? AND id IN (?`+strings.Repeat(",?", len(ids)-1)+`) ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("dataset %d examples: %w", id, err)
	}
	return scanExamples(rows)
}

// Export writes dataset id as JSONL: {"messages": [...], "label": "..."} a line.
func Export(ctx context.Context, st *store.Store, id int64, out io.Writer) (int64, error) {
	if _, err := Get(ctx, st, id); err != nil {
		return 0, err
	}
	db, err := sqlDB(st)
	if err != nil {
		return 0, err
	}
	lo, hi := span(id)
	rows, err := db.QueryContext(ctx, `SELECT messages, label FROM examples WHERE id BETWEEN ? AND ? ORDER BY id`, lo, hi)
	if err != nil {
		return 0, fmt.Errorf("export dataset %d: %w", id, err)
	}
	defer rows.Close()
	w := bufio.NewWriterSize(out, 1<<16)
	var n int64
	for rows.Next() {
		var msgs []byte
		var label string
		if err := rows.Scan(&msgs, &label); err != nil {
			return n, fmt.Errorf("export dataset %d: %w", id, err)
		}
		w.WriteString(`{"messages":`)
		w.Write(msgs)
		if label != "" {
			l, _ := json.Marshal(label)
			w.WriteString(`,"label":`)
			w.Write(l)
		}
		if _, err := w.WriteString("}\n"); err != nil {
			return n, fmt.Errorf("export dataset %d: %w", id, err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("export dataset %d: %w", id, err)
	}
	return n, w.Flush()
}

// Overlap counts the examples of a that also appear in b, up to case,
// spacing and punctuation: the leak between a train and an eval split.
func Overlap(ctx context.Context, st *store.Store, a, b int64) (Finding, error) {
	db, err := sqlDB(st)
	if err != nil {
		return Finding{}, err
	}
	alo, ahi := span(a)
	blo, bhi := span(b)
	rows, err := db.QueryContext(ctx, `SELECT x.id FROM examples x WHERE x.id BETWEEN ? AND ?
		AND x.norm_hash IN (SELECT norm_hash FROM examples WHERE id BETWEEN ? AND ?) ORDER BY x.id`, alo, ahi, blo, bhi)
	if err != nil {
		return Finding{}, fmt.Errorf("overlap of datasets %d and %d: %w", a, b, err)
	}
	defer rows.Close()
	f := Finding{Key: "overlap", Title: fmt.Sprintf("Examples also in dataset %d", b), Severity: "warn",
		Advice: "The same example in training and evaluation makes the evaluation look better than the model is."}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return Finding{}, err
		}
		f.Count++
		if len(f.Examples) < findingIDs {
			f.Examples = append(f.Examples, id)
		}
	}
	return f, rows.Err()
}
