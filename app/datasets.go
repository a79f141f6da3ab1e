package app

import (
	"github.com/hone-ai/hone/backend/core"
	"github.com/hone-ai/hone/backend/dataset"
	"github.com/hone-ai/hone/backend/dataset/parse"
	"github.com/wailsapp/wails/v2/pkg/runtime"
)

// DropEvent carries the paths of files dropped on the window.
const DropEvent = "files:dropped"

// Datasets is the Datasets screen: import, browse, report, fix, split, mix, export.
type Datasets struct {
	shell *Shell
	h     *core.Hone
}

// Detect reads the first rows of a file: its format and a preview, before importing.
func (d *Datasets) Detect(path string, opts parse.Options) (parse.Detection, error) {
	return d.h.DetectFile(path, opts)
}

// Import starts a background import job for each file and returns the job
// ids; progress and the end arrive as "job" events, and a succeeded job's
// result is a core.ImportResult (the new dataset's id).
func (d *Datasets) Import(paths []string, opts dataset.ImportOptions) ([]int64, error) {
	var ids []int64
	for _, p := range paths {
		id, err := d.h.StartImport(d.shell.ctx, p, opts, nil)
		if err != nil {
			return ids, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// PickFiles asks for dataset files to import; empty when cancelled.
func (d *Datasets) PickFiles() ([]string, error) {
	return runtime.OpenMultipleFilesDialog(d.shell.ctx, runtime.OpenDialogOptions{
		Title: "Choose dataset files",
		Filters: []runtime.FileFilter{
			{DisplayName: "Datasets (*.jsonl, *.json, *.csv, *.tsv, *.txt, *.parquet)", Pattern: "*.jsonl;*.json;*.csv;*.tsv;*.txt;*.parquet"},
			{DisplayName: "All files", Pattern: "*"},
		},
	})
}

// List returns the datasets, newest first.
func (d *Datasets) List() ([]dataset.Dataset, error) { return d.h.Datasets(d.shell.ctx) }

// Report is the quality report of a dataset.
func (d *Datasets) Report(id int64) (dataset.Report, error) {
	return d.h.DatasetReport(d.shell.ctx, id)
}

// Examples pages through a dataset, optionally searching.
func (d *Datasets) Examples(id int64, search string, offset, limit int) (dataset.Page, error) {
	return d.h.DatasetExamples(d.shell.ctx, id, search, offset, limit)
}

// ExamplesByID returns the examples behind a finding.
func (d *Datasets) ExamplesByID(id int64, ids []int64) ([]dataset.Example, error) {
	return d.h.DatasetExamplesByID(d.shell.ctx, id, ids)
}

// CountTokens measures a dataset in the tokens of a model on disk.
func (d *Datasets) CountTokens(id int64, modelPath string, seqLen int) (dataset.TokenLengths, error) {
	return d.h.CountTokens(d.shell.ctx, id, modelPath, seqLen)
}

// Errors lists the rows an import skipped.
func (d *Datasets) Errors(id int64, limit int) ([]dataset.ImportError, error) {
	return d.h.DatasetErrors(d.shell.ctx, id, limit)
}

// Fix makes a new version without a finding's examples.
func (d *Datasets) Fix(id int64, fix string) (dataset.Dataset, error) {
	return d.h.FixDataset(d.shell.ctx, id, fix)
}

// Split makes a seeded train/eval split.
func (d *Datasets) Split(id int64, evalFraction float64, seed uint64) ([]dataset.Dataset, error) {
	train, eval, err := d.h.SplitDataset(d.shell.ctx, id, evalFraction, seed)
	if err != nil {
		return nil, err
	}
	return []dataset.Dataset{train, eval}, nil
}

// Mix draws from several datasets by weight.
func (d *Datasets) Mix(name string, parts []dataset.MixPart, total int64, seed uint64) (dataset.Dataset, error) {
	return d.h.MixDatasets(d.shell.ctx, name, parts, total, seed)
}

// Delete removes a dataset.
func (d *Datasets) Delete(id int64) error { return d.h.DeleteDataset(d.shell.ctx, id) }

// Export asks where to save a dataset as JSONL and writes it there; "" when cancelled.
func (d *Datasets) Export(id int64) (string, error) {
	ds, err := d.h.Dataset(d.shell.ctx, id)
	if err != nil {
		return "", err
	}
	path, err := runtime.SaveFileDialog(d.shell.ctx, runtime.SaveDialogOptions{Title: "Export dataset", DefaultFilename: ds.Name + ".jsonl"})
	if err != nil || path == "" {
		return "", err
	}
	return path, d.ExportTo(id, path)
}

// ExportTo writes a dataset as JSONL to path.
func (d *Datasets) ExportTo(id int64, path string) error {
	_, err := d.h.ExportDataset(d.shell.ctx, id, path)
	return err
}
