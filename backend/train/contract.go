package train

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/hone-ai/hone/backend/engine"
	"github.com/hone-ai/hone/backend/internal/fsutil"
	"github.com/hone-ai/hone/backend/model"
	"github.com/hone-ai/hone/backend/store"
)

// Contract is what an adapter promises about itself, stored with it in
// SQLite and as hone_contract.json beside adapter_config.json: chat,
// evaluation and export check a base model against it before applying it.
type Contract struct {
	BaseModel    string   `json:"baseModel"`
	BaseSHA256   string   `json:"baseSha256"`
	Architecture string   `json:"architecture"`
	Method       string   `json:"method"`
	Rank         int      `json:"rank,omitempty"`
	Alpha        float64  `json:"alpha,omitempty"`
	Targets      []string `json:"targets,omitempty"`
	ChatTemplate string   `json:"chatTemplate"`
	StopTokens   []int    `json:"stopTokens"`
	Dataset      int64    `json:"dataset"`
	EvalDataset  int64    `json:"evalDataset,omitempty"`
	Spec         Spec     `json:"spec"`
	HoneVersion  string   `json:"honeVersion"`
	Created      string   `json:"created"`
}

// ReadContract reads the contract Hone wrote beside an adapter.
func ReadContract(adapterDir string) (Contract, error) {
	var c Contract
	raw, err := os.ReadFile(filepath.Join(adapterDir, "hone_contract.json"))
	if err != nil {
		return c, fmt.Errorf("the adapter's contract: %w", err)
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return c, fmt.Errorf("the adapter's contract %s: %w", filepath.Join(adapterDir, "hone_contract.json"), err)
	}
	return c, nil
}

// recordAdapter writes the contract beside the adapter and records both.
func recordAdapter(ctx context.Context, env Env, s Spec, su *setup, path string, metrics map[string]float64) (int64, error) {
	c := Contract{BaseModel: s.Model, BaseSHA256: su.baseSHA256, Architecture: su.config.Architecture, Method: s.Method,
		Dataset: s.Dataset, EvalDataset: s.EvalDataset, Spec: s, StopTokens: su.stops, HoneVersion: env.Version,
		Created: time.Now().UTC().Format(time.RFC3339)}
	if s.Method != MethodFull {
		c.Rank, c.Alpha, c.Targets = s.Rank, s.Alpha, s.Targets
		if len(c.Targets) == 0 {
			c.Targets = engine.LinearNames[:]
		}
	}
	if su.tmpl != nil {
		c.ChatTemplate = su.tmpl.Source()
	}
	js, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return 0, err
	}
	if err := fsutil.WriteFile(filepath.Join(path, "hone_contract.json"), append(js, '\n')); err != nil {
		return 0, writeFailed(s, "the adapter's contract", err)
	}
	a := store.Adapter{Name: s.Name, Path: path, Contract: js, Metrics: metrics}
	if env.RunID != 0 {
		id := env.RunID
		a.RunID = &id
	}
	if a.Name == "" {
		a.Name = filepath.Base(s.OutDir)
	}
	if err := env.Store.CreateAdapter(ctx, &a); err != nil {
		return 0, err
	}
	return a.ID, nil
}

// saveWeights writes a fully fine-tuned model's weights (Hugging Face
// names, f32) as path/model.safetensors.
func saveWeights(path string, tr *engine.Trainer, su *setup) error {
	if err := os.MkdirAll(path, 0o755); err != nil {
		return err
	}
	var ts []model.F32Tensor
	for _, p := range tr.Params() {
		ts = append(ts, model.F32Tensor{Name: p.Name, Shape: p.W.Shape(), Data: tr.Values(p)})
	}
	return fsutil.WriteFile(filepath.Join(path, "model.safetensors"), model.EncodeSafetensors(ts))
}
