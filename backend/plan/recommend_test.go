package plan

import (
	"strings"
	"testing"

	"github.com/hone-ai/hone/backend/hw"
)

func fakeGPUs(t *testing.T, spec string) []hw.GPU {
	t.Helper()
	f, err := hw.ParseFake(spec)
	if err != nil {
		t.Fatal(err)
	}
	return f.Devices
}

func TestRecommend(t *testing.T) {
	tests := []struct {
		name, model, gpu string
		gpus             string
		wantMethod       Method
		wantReason       string
		wantCloud        bool
	}{
		{"8B on a 24 GB card: QLoRA", "llama-3.1-8b", "", "rtx4090", QLoRA, "QLoRA: LoRA on this model needs", false},
		{"8B on an 80 GB card: LoRA", "llama-3.1-8b", "h100", "", LoRA, "LoRA on a bf16 base", false},
		{"135M on a 12 GB card: LoRA, full fits too", "smollm2-135m", "rtx3060", "", LoRA, "Full fine-tuning would also fit", false},
		{"70B on a 24 GB card: the cloud", "llama-3.1-70b", "rtx4090", "", QLoRA, "cheapest cloud GPU", true},
		{"32B on a 12 GB card: the cloud", "qwen2.5-32b", "rtx3060", "", QLoRA, "cheapest cloud GPU", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var gpus []hw.GPU
			if tt.gpus != "" {
				gpus = fakeGPUs(t, tt.gpus)
			}
			res, err := Plan(Request{Model: tt.model, GPU: tt.gpu}, gpus, DefaultPrices())
			if err != nil {
				t.Fatal(err)
			}
			r := res.Recommendation
			all := strings.Join(r.Reasons, "\n")
			if r.Settings.Method != tt.wantMethod || !strings.Contains(all, tt.wantReason) || (r.Cloud != nil) != tt.wantCloud {
				t.Fatalf("got %s (cloud %v):\n%s", r.Settings.Method, r.Cloud, all)
			}
			if tt.wantCloud {
				if r.Cloud.Estimate.Peak > int64(float64(r.Cloud.Card.Memory)*safety) {
					t.Errorf("cloud pick %s does not fit: %s", r.Cloud.Card.Name, gb(r.Cloud.Estimate.Peak))
				}
				return
			}
			if !r.FitsLocally || r.Estimate.Peak > int64(float64(res.Target.Free)*safety) {
				t.Errorf("recommended %s does not fit in %s free", gb(r.Estimate.Peak), gb(res.Target.Free))
			}
			if r.Settings.MicroBatch*r.GradAccum < effectiveBatch {
				t.Errorf("micro-batch %d × accumulation %d", r.Settings.MicroBatch, r.GradAccum)
			}
			if res.Cost == nil || res.Cost.TCO12 <= 0 {
				t.Errorf("no cost: %s", res.CostError)
			}
			if len(res.Comparison) != 3 {
				t.Errorf("comparison %v", res.Comparison)
			}
		})
	}
}

func TestRecommendCheapestCloudFits(t *testing.T) {
	res, err := Plan(Request{Model: "llama-3.1-70b", GPU: "rtx3060"}, nil, DefaultPrices())
	if err != nil {
		t.Fatal(err)
	}
	pick := res.Recommendation.Cloud
	// No cheaper rentable card fits the same settings.
	for _, c := range hw.Cards() {
		price, ok := DefaultPrices().CloudPerHour[c.Key]
		if !ok || c.Key == pick.Card.Key {
			continue
		}
		s := pick.Estimate.Settings
		e, _ := EstimateMemory(res.Model.Config, s)
		if e.Peak <= int64(float64(c.Memory)*safety) && price < pick.PricePerHour {
			in := DefaultCostInput()
			in.Estimate, in.Card = e, c
			if cost, err := EstimateCost(in, DefaultPrices()); err == nil && cost.Training.OnDemand < pick.RunCost {
				t.Errorf("%s fits for $%.2f, cheaper than the pick %s at $%.2f", c.Name, cost.Training.OnDemand, pick.Card.Name, pick.RunCost)
			}
		}
	}
}

func TestRecommendUsesTheDataset(t *testing.T) {
	stats := &TokenStats{Count: 5000, P50: 180, P95: 420, P99: 700, Max: 1900}
	res, err := Plan(Request{Model: "llama-3.1-8b", GPU: "rtx4090", Tokens: stats}, nil, DefaultPrices())
	if err != nil {
		t.Fatal(err)
	}
	r := res.Recommendation
	if r.Settings.SeqLen != 768 {
		t.Errorf("sequence %d, want the 99th percentile rounded up to 768", r.Settings.SeqLen)
	}
	if all := strings.Join(r.Reasons, "\n"); !strings.Contains(all, "the longest (1900 tokens) will be truncated") {
		t.Errorf("reasons:\n%s", all)
	}
}

func TestRecommendSeesMemoryInUse(t *testing.T) {
	gpus := fakeGPUs(t, "rtx4090")
	gpus[0].MemoryUsed, gpus[0].MemoryFree = 20<<30, gpus[0].MemoryTotal-20<<30
	res, err := Plan(Request{Model: "llama-3.1-8b"}, gpus, DefaultPrices())
	if err != nil {
		t.Fatal(err)
	}
	r := res.Recommendation
	if all := strings.Join(r.Reasons, "\n"); !strings.Contains(all, "are in use") {
		t.Errorf("reasons do not mention the memory in use:\n%s", all)
	}
	if r.FitsLocally && r.Estimate.Peak > res.Target.Free {
		t.Errorf("recommends %s with %s free", gb(r.Estimate.Peak), gb(res.Target.Free))
	}
}

func TestPlanRejectsBadInput(t *testing.T) {
	tests := []struct {
		name string
		req  Request
		want string
	}{
		{"unknown model", Request{Model: "gpt-5", GPU: "h100"}, "not in the catalogue"},
		{"no model", Request{GPU: "h100"}, "no model given"},
		{"unknown card", Request{Model: "llama-3.1-8b", GPU: "voodoo5"}, "want gpu:N"},
		{"no GPU here", Request{Model: "llama-3.1-8b"}, "no GPU in this machine"},
		{"missing GPU index", Request{Model: "llama-3.1-8b", GPU: "gpu:3"}, "has 0 GPUs"},
		{"bad statistics", Request{Model: "llama-3.1-8b", GPU: "h100", Tokens: &TokenStats{Count: 5, P50: 900, P95: 10, P99: 10, Max: 10}}, "token statistics"},
		{"negative what-if sequence", Request{Model: "llama-3.1-8b", GPU: "h100", SeqLen: -1}, "sequence length"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Plan(tt.req, nil, DefaultPrices())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}
