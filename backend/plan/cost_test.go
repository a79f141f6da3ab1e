package plan

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hone-ai/hone/backend/hw"
)

func costInput(t *testing.T, modelKey, card string, m Method) CostInput {
	t.Helper()
	c, _ := hw.CardByKey(card)
	e, err := EstimateMemory(catalogueConfig(t, modelKey), HoneDefaults(m))
	if err != nil {
		t.Fatal(err)
	}
	in := DefaultCostInput()
	in.Estimate, in.Card = e, c
	return in
}

func TestCostLifeCycle(t *testing.T) {
	p := DefaultPrices()
	in := costInput(t, "llama-3.1-8b", "rtx4090", QLoRA)
	in.Local = true
	in.ExamplesToAnnotate = 1500
	c, err := EstimateCost(in, p)
	if err != nil {
		t.Fatal(err)
	}
	// 2,000 examples × 400 tokens, one epoch.
	if c.Training.Tokens != 800_000 {
		t.Errorf("tokens %v", c.Training.Tokens)
	}
	// Throughput from peak FLOPs × MFU: 165.2 TFLOPS × 30% / (6P + attention).
	want := 165.2e12 * 0.30 / in.Estimate.FLOPsPerToken
	if math.Abs(c.Training.TokensPerSecond-want) > 1e-6*want || c.Training.TokensPerSecond < 500 || c.Training.TokensPerSecond > 5000 {
		t.Errorf("throughput %.0f tokens/s, want %.0f and a plausible 500-5000 for an 8B QLoRA on a 4090", c.Training.TokensPerSecond, want)
	}
	energy := c.Training.Hours * (450 + 150) / 1000 * 0.30
	if c.TrainOn != "local" || math.Abs(c.PerRun-energy) > 1e-9 {
		t.Errorf("train on %s for $%.4f, want local for $%.4f of electricity", c.TrainOn, c.PerRun, energy)
	}
	// Spot is cheaper than on-demand and takes longer than the clean run.
	if !(c.Training.Spot < c.Training.OnDemand && c.Training.SpotHours > c.Training.Hours) {
		t.Errorf("spot %+v", c.Training)
	}
	var sum float64
	for _, l := range c.Lines {
		if l.Amount < 0 || math.IsNaN(l.Amount) {
			t.Errorf("line %+v", l)
		}
		sum += l.Amount
	}
	if math.Abs(sum-c.TCO12) > 1e-6 || math.Abs(c.Monthly[11]-c.TCO12) > 1e-6 {
		t.Errorf("lines add to %.2f, month 12 says %.2f, TCO %.2f", sum, c.Monthly[11], c.TCO12)
	}
	for m := 1; m < 12; m++ {
		if c.Monthly[m] <= c.Monthly[m-1] {
			t.Errorf("cumulative spend falls in month %d", m+1)
		}
	}
	if c.Lines[0].Amount != 1500 {
		t.Errorf("annotation %v, want 1500 × $1", c.Lines[0].Amount)
	}
	// Serving an 8B model: in the published $2,000-4,000 a month for ~7B.
	if month := c.Lines[3].Amount / 12; month < 2000 || month > 4500 {
		t.Errorf("serving $%.0f a month", month)
	}
}

func TestServingMatchesPublishedRanges(t *testing.T) {
	p := DefaultPrices()
	for _, tt := range []struct {
		model  string
		lo, hi float64
	}{{"llama-2-7b", 2000, 4000}, {"llama-2-13b", 4000, 7000}} {
		in := costInput(t, tt.model, "h100", QLoRA)
		c, err := EstimateCost(in, p)
		if err != nil {
			t.Fatal(err)
		}
		if month := c.Lines[3].Amount / 12; month < tt.lo || month > tt.hi {
			t.Errorf("%s: $%.0f a month, published $%.0f-%.0f", tt.model, month, tt.lo, tt.hi)
		}
	}
}

func TestManyUseCasesShareOneBase(t *testing.T) {
	in := costInput(t, "llama-2-7b", "h100", QLoRA)
	in.UseCases = 30
	c, err := EstimateCost(in, DefaultPrices())
	if err != nil {
		t.Fatal(err)
	}
	u := c.UseCases
	// 30 adapters at 25 per GPU: two serving GPUs instead of 30 deployments.
	if u.N != 30 || u.SharedDeployments != 2 || math.Abs(u.Saving-(u.Dedicated-u.Shared)) > 1e-6 || math.Abs(u.Shared*15-u.Dedicated) > 1e-6*u.Dedicated {
		t.Errorf("use cases %+v", u)
	}
}

func TestCloudTrainingWhenNotLocal(t *testing.T) {
	in := costInput(t, "llama-3.1-8b", "h100", QLoRA)
	c, err := EstimateCost(in, DefaultPrices())
	if err != nil {
		t.Fatal(err)
	}
	if c.TrainOn != "spot" || c.PerRun != c.Training.Spot {
		t.Errorf("train on %s $%.2f", c.TrainOn, c.PerRun)
	}
	p := DefaultPrices()
	p.PreemptionsPerHour = 5 // an hour of work lost per interruption: spot never finishes
	c, err = EstimateCost(in, p)
	if err != nil || c.TrainOn != "on-demand" || c.Training.SpotViable {
		t.Errorf("with constant pre-emptions: %s, %+v, %v", c.TrainOn, c.Training, err)
	}
}

func TestCostRejectsBadInput(t *testing.T) {
	base := costInput(t, "llama-3.1-8b", "rtx4090", QLoRA)
	noFlops := base
	noFlops.Card, _ = hw.CardByKey("gtx1080")
	tests := []struct {
		name string
		mut  func(*CostInput, *Prices)
	}{
		{"negative examples", func(in *CostInput, _ *Prices) { in.Examples = -3 }},
		{"NaN epochs", func(in *CostInput, _ *Prices) { in.Epochs = math.NaN() }},
		{"zero checkpoint interval", func(in *CostInput, _ *Prices) { in.CheckpointMinutes = 0 }},
		{"negative electricity", func(_ *CostInput, p *Prices) { p.ElectricityPerKWh = -1 }},
		{"NaN MFU", func(_ *CostInput, p *Prices) { p.MFU = math.NaN() }},
		{"card without tensor cores", func(in *CostInput, _ *Prices) { in.Card = noFlops.Card }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, p := base, DefaultPrices()
			tt.mut(&in, &p)
			if c, err := EstimateCost(in, p); err == nil {
				t.Fatalf("no error: %+v", c)
			}
		})
	}
}

func TestPricesFile(t *testing.T) {
	dir := t.TempDir()
	p, err := LoadPrices(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, PricesFile))
	if err != nil || !strings.Contains(string(b), `"asOf": "2026-11"`) {
		t.Fatalf("defaults not written: %v\n%s", err, b)
	}
	// The user's edits are read back; untouched fields keep the defaults.
	var m map[string]any
	json.Unmarshal(b, &m)
	m["electricityPerKWh"] = 0.12
	delete(m, "mfu")
	b, _ = json.MarshalIndent(m, "", "  ")
	os.WriteFile(filepath.Join(dir, PricesFile), b, 0o644)
	q, err := LoadPrices(dir)
	if err != nil || q.ElectricityPerKWh != 0.12 || q.MFU != p.MFU {
		t.Fatalf("edited prices %+v, %v", q, err)
	}

	bad := []struct{ text, want string }{
		{"{\n  \"electricityPerKWh\": 0.3,\n  \"spotDiscount\": \"lots\"\n}", "line 3"},
		{"{\n  \"electricityPerKWh\": 0.3,\n\n  oops\n}", "line 4"},
		{`{"electricityPerKWh": -2}`, `"electricityPerKWh"`},
		{`{"cloudPerHour": {"h100": 0}}`, `cloudPerHour["h100"]`},
		{`{"electricityPrice": 0.2}`, `unknown field "electricityPrice"`},
	}
	for _, b := range bad {
		os.WriteFile(filepath.Join(dir, PricesFile), []byte(b.text), 0o644)
		_, err := LoadPrices(dir)
		if err == nil || !strings.Contains(err.Error(), b.want) || !strings.Contains(err.Error(), PricesFile) {
			t.Errorf("%q: error %v, want it to name the file and %s", b.text, err, b.want)
		}
		if after, _ := os.ReadFile(filepath.Join(dir, PricesFile)); string(after) != b.text {
			t.Errorf("a broken prices file was rewritten")
		}
	}
}

func TestDollars(t *testing.T) {
	for in, want := range map[float64]string{0: "0.00", 0.034: "0.03", 9.99: "9.99", 10: "10", 1234.4: "1,234", 10921714: "10,921,714", -2500: "-2,500"} {
		if got := Dollars(in); got != want {
			t.Errorf("Dollars(%v) = %q, want %q", in, got, want)
		}
	}
}
