package dataset

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hone-ai/hone/backend/dataset/parse"
	"github.com/hone-ai/hone/backend/store"
)

// Progress is how far an import is.
type Progress struct {
	Rows       int64         `json:"rows"`
	Errors     int64         `json:"errors"`
	Bytes      int64         `json:"bytes"`
	TotalBytes int64         `json:"totalBytes"`
	Elapsed    time.Duration `json:"elapsed"`
}

// Fraction is the share of the file read, 0..1.
func (p Progress) Fraction() float64 {
	if p.TotalBytes <= 0 {
		return 0
	}
	return min(1, float64(p.Bytes)/float64(p.TotalBytes))
}

// RowsPerSecond is the import rate so far.
func (p Progress) RowsPerSecond() float64 {
	if p.Elapsed <= 0 {
		return 0
	}
	return float64(p.Rows) / p.Elapsed.Seconds()
}

// ETA estimates the time left from the bytes read so far.
func (p Progress) ETA() time.Duration {
	f := p.Fraction()
	if f <= 0 {
		return 0
	}
	return time.Duration(float64(p.Elapsed) * (1 - f) / f)
}

// Message is a one-line summary for progress bars and job rows.
func (p Progress) Message() string {
	m := fmt.Sprintf("%d rows, %.0f rows/s", p.Rows, p.RowsPerSecond())
	if p.Errors > 0 {
		m += fmt.Sprintf(", %d skipped", p.Errors)
	}
	if eta := p.ETA(); eta > 0 {
		m += fmt.Sprintf(", %s left", eta.Round(time.Second))
	}
	return m
}

var errWriterFailed = errors.New("writing the dataset failed")

// ImportOptions control an import.
type ImportOptions struct {
	Name  string        // default: the file's name
	Parse parse.Options // format, CSV columns, strict mode
}

// Import reads path into a new dataset. The dataset becomes visible only
// when the whole file is in; on an error or a cancellation nothing of it
// remains. Bad rows are recorded (see Errors) unless Parse.Strict, where the
// first one fails the import.
func Import(ctx context.Context, st *store.Store, path string, o ImportOptions, progress func(Progress)) (Dataset, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return Dataset{}, fmt.Errorf("import %s: %w", path, err)
	}
	if fi.IsDir() {
		return Dataset{}, fmt.Errorf("import %s: a folder, not a file", path)
	}
	det, err := parse.Detect(path, o.Parse)
	if err != nil {
		return Dataset{}, fmt.Errorf("import %s: %w", path, err)
	}
	name := o.Name
	if name == "" {
		name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	abs, _ := filepath.Abs(path)
	w, err := newWriter(ctx, st, Dataset{Name: name, Source: abs, Format: describe(det)})
	if err != nil {
		return Dataset{}, err
	}
	// Parsing and hashing run here, SQLite writes in a second goroutine:
	// the two halves take about the same time, and machines have two cores.
	// Chunks of rows go back and forth, so that the garbage collector, whose
	// pauses stop both halves, has less to do.
	type item struct {
		r   row
		err *ImportError
	}
	type chunk struct {
		items []item
		arena []byte // the rows' bytes
	}
	const chunkRows = 256
	chunks, free := make(chan *chunk, 8), make(chan *chunk, 10)
	var writeErr error
	var failed atomic.Bool
	written := make(chan struct{})
	go func() {
		defer close(written)
		for c := range chunks {
			for _, it := range c.items {
				if writeErr != nil {
					break
				}
				if it.err != nil {
					writeErr = w.addError(*it.err)
				} else {
					writeErr = w.add(it.r)
				}
			}
			if writeErr != nil {
				failed.Store(true)
			}
			clear(c.items)
			c.items, c.arena = c.items[:0], c.arena[:0]
			select {
			case free <- c:
			default:
			}
		}
	}()
	cur := &chunk{items: make([]item, 0, chunkRows)}
	send := func(force bool) {
		if len(cur.items) >= chunkRows || (force && len(cur.items) > 0) {
			chunks <- cur
			select {
			case cur = <-free:
			default:
				cur = &chunk{items: make([]item, 0, chunkRows)}
			}
		}
	}

	start := time.Now()
	p := Progress{TotalBytes: fi.Size()}
	var lastReport time.Time
	report := func(force bool) {
		if progress == nil || (!force && time.Since(lastReport) < 100*time.Millisecond) {
			return
		}
		lastReport = time.Now()
		p.Elapsed = time.Since(start)
		progress(p)
	}
	var first []string // the first skipped rows, for the message when none was usable
	rows := newRowMaker()
	det, err = parse.Parse(ctx, path, o.Parse,
		func(ex parse.Example) error {
			if failed.Load() {
				return errWriterFailed
			}
			var r row
			var err error
			if r, cur.arena, err = rows.row(cur.arena, ex); err != nil {
				return err
			}
			cur.items = append(cur.items, item{r: r})
			p.Rows++
			send(false)
			return nil
		},
		func(e parse.RowError) {
			if len(first) < 3 {
				first = append(first, e.Error())
			}
			cur.items = append(cur.items, item{err: &ImportError{File: e.File, Line: int64(e.Line), Field: e.Field, Reason: e.Reason}})
			p.Errors++
			send(false)
		},
		func(n int64) {
			p.Bytes = n
			report(false)
		})
	send(true)
	close(chunks)
	<-written
	if err == nil || errors.Is(err, errWriterFailed) {
		err = writeErr
	}
	if err == nil && p.Rows == 0 {
		err = fmt.Errorf("no usable example in the file: %d rows skipped, first: %s", p.Errors, strings.Join(first, "; "))
	}
	if err != nil {
		w.abort()
		if errors.Is(err, context.Canceled) {
			return Dataset{}, fmt.Errorf("import %s: cancelled: %w", path, err)
		}
		return Dataset{}, fmt.Errorf("import %s: %w", path, err)
	}
	id, err := w.finish(fi.Size(), describe(det))
	if err != nil {
		w.abort()
		return Dataset{}, fmt.Errorf("import %s: %w", path, err)
	}
	p.Bytes = fi.Size()
	report(true)
	return Get(ctx, st, id)
}

// describe says how a file was read, for the dataset list.
func describe(d parse.Detection) string {
	s := string(d.Container)
	if d.Format != "" {
		s += ", " + string(d.Format)
	}
	if d.Container == "csv" {
		s += fmt.Sprintf(", delimiter %q", d.Delimiter)
	}
	return s
}
