package core

import (
	"context"
	"fmt"
	"os"

	"github.com/hone-ai/hone/backend/dataset"
	"github.com/hone-ai/hone/backend/dataset/parse"
	"github.com/hone-ai/hone/backend/jobs"
	"github.com/hone-ai/hone/backend/store"
)

// ImportKind is the kind of an import job.
const ImportKind = "import"

// ImportResult is what an import job made, its JSON result.
type ImportResult struct {
	DatasetID int64  `json:"datasetId"`
	Name      string `json:"name"`
	Examples  int64  `json:"examples"`
	Skipped   int64  `json:"skipped"` // rows with an error, kept in the error list
	Format    string `json:"format"`
}

// StartImport imports a file in a job of this process (imports need no
// driver); watch, if not nil, sees every update of the job.
func (h *Hone) StartImport(ctx context.Context, path string, o dataset.ImportOptions, watch func(store.Job)) (int64, error) {
	return h.Jobs.Start(ctx, jobs.Spec{Kind: ImportKind, Title: "Import " + path, Watch: watch,
		Run: func(ctx context.Context, report jobs.Report) (any, error) {
			d, err := dataset.Import(ctx, h.Store, path, o, func(p dataset.Progress) {
				report(jobs.Progress{Fraction: p.Fraction(), Message: p.Message()})
			})
			if err != nil {
				return nil, err
			}
			report(jobs.Progress{Fraction: 1, Message: fmt.Sprintf("dataset %d: %d examples, %d rows skipped", d.ID, d.Examples, d.Errors)})
			return ImportResult{DatasetID: d.ID, Name: d.Name, Examples: d.Examples, Skipped: d.Errors, Format: d.Format}, nil
		}})
}

// DetectFile reads the first rows of a file: its format and a preview.
func (h *Hone) DetectFile(path string, o parse.Options) (parse.Detection, error) {
	return parse.Detect(path, o)
}

// Datasets lists the datasets, newest first.
func (h *Hone) Datasets(ctx context.Context) ([]dataset.Dataset, error) {
	return dataset.List(ctx, h.Store)
}

// Dataset reads one dataset.
func (h *Hone) Dataset(ctx context.Context, id int64) (dataset.Dataset, error) {
	return dataset.Get(ctx, h.Store, id)
}

// DatasetReport is a dataset's quality report.
func (h *Hone) DatasetReport(ctx context.Context, id int64) (dataset.Report, error) {
	return dataset.MakeReport(ctx, h.Store, id)
}

// DatasetErrors lists the rows an import skipped.
func (h *Hone) DatasetErrors(ctx context.Context, id int64, limit int) ([]dataset.ImportError, error) {
	return dataset.Errors(ctx, h.Store, id, limit)
}

// DatasetExamples pages through a dataset, optionally searching.
func (h *Hone) DatasetExamples(ctx context.Context, id int64, search string, offset, limit int) (dataset.Page, error) {
	return dataset.Examples(ctx, h.Store, id, search, offset, limit)
}

// DatasetExamplesByID returns the examples behind a finding.
func (h *Hone) DatasetExamplesByID(ctx context.Context, id int64, ids []int64) ([]dataset.Example, error) {
	return dataset.ExamplesByID(ctx, h.Store, id, ids)
}

// CountTokens measures a dataset in the tokens of a model on disk.
func (h *Hone) CountTokens(ctx context.Context, id int64, modelPath string, seqLen int) (dataset.TokenLengths, error) {
	return dataset.CountTokens(ctx, h.Store, id, modelPath, seqLen)
}

// DatasetShown is `hone dataset show`: the report, the first skipped rows,
// and the token lengths when a model was given.
type DatasetShown struct {
	Report dataset.Report        `json:"report"`
	Errors []dataset.ImportError `json:"errors"`
	Tokens *dataset.TokenLengths `json:"tokens"`
}

// ShowDataset makes the report, lists up to 20 skipped rows and, with a
// model path, counts tokens against seqLen.
func (h *Hone) ShowDataset(ctx context.Context, id int64, modelPath string, seqLen int) (DatasetShown, error) {
	var s DatasetShown
	var err error
	if s.Report, err = h.DatasetReport(ctx, id); err != nil {
		return s, err
	}
	if s.Errors, err = h.DatasetErrors(ctx, id, 20); err != nil {
		return s, err
	}
	if modelPath != "" {
		t, err := h.CountTokens(ctx, id, modelPath, seqLen)
		if err != nil {
			return s, err
		}
		s.Tokens = &t
	}
	return s, nil
}

// FixDataset makes a new version without a finding's examples.
func (h *Hone) FixDataset(ctx context.Context, id int64, fix string) (dataset.Dataset, error) {
	return dataset.Fix(ctx, h.Store, id, fix)
}

// SplitDataset makes a seeded train/eval split, stratified by label.
func (h *Hone) SplitDataset(ctx context.Context, id int64, evalFraction float64, seed uint64) (train, eval dataset.Dataset, err error) {
	return dataset.Split(ctx, h.Store, id, evalFraction, seed)
}

// MixDatasets draws from several datasets by weight into a new one.
func (h *Hone) MixDatasets(ctx context.Context, name string, parts []dataset.MixPart, total int64, seed uint64) (dataset.Dataset, error) {
	return dataset.Mix(ctx, h.Store, name, parts, total, seed)
}

// DeleteDataset removes a dataset.
func (h *Hone) DeleteDataset(ctx context.Context, id int64) error {
	return dataset.Delete(ctx, h.Store, id)
}

// ExportDataset writes a dataset as JSONL to path and returns how many
// examples it wrote. A failed export removes the partial file.
func (h *Hone) ExportDataset(ctx context.Context, id int64, path string) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	n, err := dataset.Export(ctx, h.Store, id, f)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("export: %w", cerr)
	}
	if err != nil {
		os.Remove(path)
		return 0, err
	}
	return n, nil
}
