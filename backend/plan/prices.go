package plan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Prices are the money side of planning. They live in prices.json in the
// data folder, written with these defaults on first use, for the user to edit.
type Prices struct {
	AsOf    string   `json:"asOf"`
	Sources []string `json:"sources"`

	ElectricityPerKWh float64 `json:"electricityPerKWh"` // $ per kWh
	SystemWatts       float64 `json:"systemWatts"`       // the rest of the workstation under load

	// Cloud GPU on-demand prices, $ per GPU-hour, by hw.Card key.
	CloudPerHour       map[string]float64 `json:"cloudPerHour"`
	SpotDiscount       float64            `json:"spotDiscount"`       // 0.7 = spot costs 30% of on-demand
	PreemptionsPerHour float64            `json:"preemptionsPerHour"` // spot interruptions per running hour
	RestartMinutes     float64            `json:"restartMinutes"`     // to get a new instance and reload

	AnnotationPerExample float64 `json:"annotationPerExample"`
	EvaluationTooling    float64 `json:"evaluationTooling"`
	// Serving around the clock, $ per month per billion parameters: a 7B
	// model at ~$3,000 and a 13B one at ~$5,600 a month.
	ServingPerBillionMonth float64 `json:"servingPerBillionMonth"`
	RetrainsPerYear        int     `json:"retrainsPerYear"`
	ReevaluationPerRetrain float64 `json:"reevaluationPerRetrain"`
	AdaptersPerServingGPU  int     `json:"adaptersPerServingGPU"`
	// Model FLOPs utilisation of Hone's trainer.
	MFU    float64 `json:"mfu"`
	MFUNF4 float64 `json:"mfuNF4"`
}

// DefaultPrices are typical figures of late 2026. Every one is editable.
func DefaultPrices() Prices {
	return Prices{
		AsOf: "2026-11",
		Sources: []string{
			"GPU-hour prices: on-demand list prices of GPU clouds (Lambda, RunPod, AWS, Google Cloud), typical of late 2026",
			"Spot: 60-80% below on-demand on the large clouds; interruptions a few per ten hours on busy GPU types",
			"Electricity: average EU/US household price, $0.30/kWh",
			"Annotation: $0.50-$2 per labelled example for short texts from labelling services; more for long conversations",
			"Evaluation tooling: $500-2,000 one-off for a small team",
			"Serving a 7B model around the clock: about $2,000-4,000 a month; 13B about $4,000-7,000",
			"A single 80 GB GPU serves about 25 LoRA adapters on a 7B base (vLLM multi-LoRA, LoRAX)",
			"MFU: 40% for bf16 training kernels, 30% with NF4 dequantisation (QLoRA/Unsloth reports)",
		},
		ElectricityPerKWh: 0.30,
		SystemWatts:       150,
		CloudPerHour: map[string]float64{
			"rtx3090": 0.25, "rtx4090": 0.45, "rtx5090": 0.75, "a6000": 0.55, "l40s": 0.95,
			"a100-40": 1.30, "a100-80": 1.60, "h100": 2.50, "h200": 3.40,
		},
		SpotDiscount:           0.70,
		PreemptionsPerHour:     0.10,
		RestartMinutes:         10,
		AnnotationPerExample:   1.00,
		EvaluationTooling:      1000,
		ServingPerBillionMonth: 430,
		RetrainsPerYear:        4,
		ReevaluationPerRetrain: 250,
		AdaptersPerServingGPU:  25,
		MFU:                    0.40,
		MFUNF4:                 0.30,
	}
}

// PricesFile is the prices' file name in the data folder.
const PricesFile = "prices.json"

// LoadPrices reads dataDir/prices.json, writing the defaults there first if
// it does not exist. A broken file is reported with its line, never replaced.
func LoadPrices(dataDir string) (Prices, error) {
	path := filepath.Join(dataDir, PricesFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		p := DefaultPrices()
		out, _ := json.MarshalIndent(p, "", "  ")
		tmp := path + ".tmp"
		if err := os.WriteFile(tmp, append(out, '\n'), 0o644); err != nil {
			return Prices{}, fmt.Errorf("write default prices: %w", err)
		}
		if err := os.Rename(tmp, path); err != nil {
			return Prices{}, fmt.Errorf("write default prices: %w", err)
		}
		return p, nil
	}
	if err != nil {
		return Prices{}, fmt.Errorf("read prices: %w", err)
	}
	p := DefaultPrices() // fields missing from the file keep their defaults
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Prices{}, fmt.Errorf("prices %s: %s", path, jsonErrorAt(b, err))
	}
	if err := p.Validate(); err != nil {
		return Prices{}, fmt.Errorf("prices %s: %w", path, err)
	}
	return p, nil
}

// jsonErrorAt turns a decoding error into "line N: ...".
func jsonErrorAt(b []byte, err error) string {
	var off int64 = -1
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		off = syn.Offset
	case errors.As(err, &typ):
		off = typ.Offset
	}
	if off < 0 {
		return err.Error()
	}
	line := 1 + bytes.Count(b[:min(off, int64(len(b)))], []byte("\n"))
	return fmt.Sprintf("line %d: %v", line, err)
}

// Validate rejects negative or absurd prices: they would show as nonsense costs.
func (p Prices) Validate() error {
	checks := []struct {
		name      string
		v, lo, hi float64
	}{
		{"electricityPerKWh", p.ElectricityPerKWh, 0, 10},
		{"systemWatts", p.SystemWatts, 0, 10000},
		{"spotDiscount", p.SpotDiscount, 0, 0.99},
		{"preemptionsPerHour", p.PreemptionsPerHour, 0, 10},
		{"restartMinutes", p.RestartMinutes, 0, 600},
		{"annotationPerExample", p.AnnotationPerExample, 0, 10000},
		{"evaluationTooling", p.EvaluationTooling, 0, 1e7},
		{"servingPerBillionMonth", p.ServingPerBillionMonth, 0, 1e6},
		{"retrainsPerYear", float64(p.RetrainsPerYear), 0, 365},
		{"reevaluationPerRetrain", p.ReevaluationPerRetrain, 0, 1e7},
		{"adaptersPerServingGPU", float64(p.AdaptersPerServingGPU), 1, 10000},
		{"mfu", p.MFU, 0.01, 1},
		{"mfuNF4", p.MFUNF4, 0.01, 1},
	}
	for _, c := range checks {
		if !(c.v >= c.lo && c.v <= c.hi) { // also catches NaN
			return fmt.Errorf("field %q = %v: want %v to %v", c.name, c.v, c.lo, c.hi)
		}
	}
	for k, v := range p.CloudPerHour {
		if !(v > 0 && v < 1000) {
			return fmt.Errorf("field cloudPerHour[%q] = %v: want more than 0 and under 1000", k, v)
		}
	}
	return nil
}
