package plan

import (
	"fmt"
	"math"
	"strings"

	"github.com/hone-ai/hone/backend/hw"
)

// CostInput is one use case: a model trained on a dataset on a card.
type CostInput struct {
	Estimate         Estimate `json:"-"`
	Card             hw.Card  `json:"card"`
	Local            bool     `json:"local"` // the card is in this machine
	Examples         int      `json:"examples"`
	TokensPerExample int      `json:"tokensPerExample"`
	Epochs           float64  `json:"epochs"`
	// ExamplesToAnnotate is how many examples still need labels (0 when
	// the data is already labelled).
	ExamplesToAnnotate int     `json:"examplesToAnnotate"`
	CheckpointMinutes  float64 `json:"checkpointMinutes"`
	UseCases           int     `json:"useCases"`
}

// DefaultCostInput is a few thousand short examples, one epoch.
func DefaultCostInput() CostInput {
	return CostInput{Examples: 2000, TokensPerExample: 400, Epochs: 1, ExamplesToAnnotate: 0, CheckpointMinutes: 30, UseCases: 1}
}

func (in CostInput) validate() error {
	switch {
	case in.Examples < 1 || in.Examples > 1e9:
		return fmt.Errorf("examples %d: want 1 to 10^9", in.Examples)
	case in.TokensPerExample < 1 || in.TokensPerExample > 1<<20:
		return fmt.Errorf("tokens per example %d: want 1 to 1048576", in.TokensPerExample)
	case !(in.Epochs > 0 && in.Epochs <= 100):
		return fmt.Errorf("epochs %v: want more than 0, at most 100", in.Epochs)
	case in.ExamplesToAnnotate < 0 || in.ExamplesToAnnotate > 1e9:
		return fmt.Errorf("examples to annotate %d: want 0 to 10^9", in.ExamplesToAnnotate)
	case !(in.CheckpointMinutes > 0 && in.CheckpointMinutes <= 24*60):
		return fmt.Errorf("checkpoint interval %v min: want more than 0, at most a day", in.CheckpointMinutes)
	case in.UseCases < 1 || in.UseCases > 10000:
		return fmt.Errorf("use cases %d: want 1 to 10000", in.UseCases)
	case in.Card.BF16TFLOPS <= 0:
		return fmt.Errorf("%s: no BF16 tensor throughput known, Hone cannot train on it", in.Card.Name)
	}
	return nil
}

// Training is the cost of one training run.
type Training struct {
	Tokens          float64 `json:"tokens"`
	TokensPerSecond float64 `json:"tokensPerSecond"`
	Hours           float64 `json:"hours"`
	LocalEnergy     float64 `json:"localEnergy"` // $ of electricity on a card you own
	CloudAvailable  bool    `json:"cloudAvailable"`
	OnDemand        float64 `json:"onDemand"`
	SpotHours       float64 `json:"spotHours"` // with the work redone after pre-emptions
	Spot            float64 `json:"spot"`
	SpotViable      bool    `json:"spotViable"`
}

// CostLine is one line of the 12-month bill.
type CostLine struct {
	Key    string  `json:"key"`
	Label  string  `json:"label"`
	Amount float64 `json:"amount"`
	Note   string  `json:"note"`
}

// UseCases compares N dedicated deployments with one base model serving N adapters.
type UseCases struct {
	N         int     `json:"n"`
	Dedicated float64 `json:"dedicated"` // 12 months
	// SharedDeployments of the base model, each serving up to
	// Prices.AdaptersPerServingGPU adapters.
	SharedDeployments int     `json:"sharedDeployments"`
	Shared            float64 `json:"shared"`
	Saving            float64 `json:"saving"`
}

// Cost is the life cycle of one fine-tuned model over 12 months.
type Cost struct {
	Training Training   `json:"training"`
	TrainOn  string     `json:"trainOn"` // "local", "spot" or "on-demand"
	PerRun   float64    `json:"perRun"`
	Lines    []CostLine `json:"lines"`
	Monthly  []float64  `json:"monthly"` // cumulative spend at the end of months 1..12
	TCO12    float64    `json:"tco12"`
	UseCases UseCases   `json:"useCases"`
	AsOf     string     `json:"asOf"`
}

// EstimateCost prices training and the 12 months after it.
func EstimateCost(in CostInput, p Prices) (Cost, error) {
	if err := in.validate(); err != nil {
		return Cost{}, err
	}
	if err := p.Validate(); err != nil {
		return Cost{}, err
	}
	mfu := p.MFU
	if in.Estimate.Settings.Method == QLoRA {
		mfu = p.MFUNF4
	}
	var t Training
	t.Tokens = float64(in.Examples) * float64(in.TokensPerExample) * in.Epochs
	t.TokensPerSecond = in.Card.BF16TFLOPS * 1e12 * mfu / in.Estimate.FLOPsPerToken
	t.Hours = t.Tokens / t.TokensPerSecond / 3600
	t.LocalEnergy = t.Hours * (in.Card.PowerWatts + p.SystemWatts) / 1000 * p.ElectricityPerKWh
	price, ok := p.CloudPerHour[in.Card.Key]
	if ok {
		t.CloudAvailable = true
		t.OnDemand = t.Hours * price
		// Each pre-emption loses half a checkpoint interval and a restart;
		// pre-emptions also strike the redone work: a geometric series.
		lostPer := (in.CheckpointMinutes/2 + p.RestartMinutes) / 60
		if f := p.PreemptionsPerHour * lostPer; f < 0.9 {
			t.SpotViable = true
			t.SpotHours = t.Hours / (1 - f)
			t.Spot = t.SpotHours * price * (1 - p.SpotDiscount)
		}
	}

	c := Cost{Training: t, AsOf: p.AsOf}
	switch {
	case in.Local:
		c.TrainOn, c.PerRun = "local", t.LocalEnergy
	case t.SpotViable:
		c.TrainOn, c.PerRun = "spot", t.Spot
	case t.CloudAvailable:
		c.TrainOn, c.PerRun = "on-demand", t.OnDemand
	default: // a card picked from the list that no cloud rents: as if owned
		c.TrainOn, c.PerRun = "local", t.LocalEnergy
	}

	billions := float64(in.Estimate.Params) / 1e9
	servingMonth := billions * p.ServingPerBillionMonth
	retrain := c.PerRun + p.ReevaluationPerRetrain
	c.Lines = []CostLine{
		{"annotation", "Data annotation", float64(in.ExamplesToAnnotate) * p.AnnotationPerExample,
			fmt.Sprintf("%d examples × $%s", in.ExamplesToAnnotate, Dollars(p.AnnotationPerExample))},
		{"evaluation", "Evaluation tooling", p.EvaluationTooling, "one-off"},
		{"training", "First training run", c.PerRun,
			fmt.Sprintf("%.1f h on %s (%s), %.0f tokens/s", hoursFor(c.TrainOn, t), in.Card.Name, c.TrainOn, t.TokensPerSecond)},
		{"serving", "Serving, 12 months", 12 * servingMonth, fmt.Sprintf("$%s a month around the clock for %.1fB parameters", Dollars(servingMonth), billions)},
		{"retraining", "Retraining", float64(p.RetrainsPerYear) * retrain,
			fmt.Sprintf("%d a year × (training $%s + re-evaluation $%s)", p.RetrainsPerYear, Dollars(c.PerRun), Dollars(p.ReevaluationPerRetrain))},
	}
	// Month by month: set-up and the first run in month 1, serving every
	// month, retraining spread evenly over the year.
	c.Monthly = make([]float64, 12)
	total := c.Lines[0].Amount + c.Lines[1].Amount + c.Lines[2].Amount
	for m := 1; m <= 12; m++ {
		total += servingMonth
		if p.RetrainsPerYear > 0 && m*p.RetrainsPerYear/12 > (m-1)*p.RetrainsPerYear/12 {
			total += float64(m*p.RetrainsPerYear/12-(m-1)*p.RetrainsPerYear/12) * retrain
		}
		c.Monthly[m-1] = total
	}
	c.TCO12 = total

	n := in.UseCases
	shared := int(math.Ceil(float64(n) / float64(p.AdaptersPerServingGPU)))
	c.UseCases = UseCases{N: n, Dedicated: float64(n) * 12 * servingMonth, SharedDeployments: shared, Shared: float64(shared) * 12 * servingMonth}
	c.UseCases.Saving = c.UseCases.Dedicated - c.UseCases.Shared
	return c, nil
}

func hoursFor(on string, t Training) float64 {
	if on == "spot" {
		return t.SpotHours
	}
	return t.Hours
}

// Dollars prints an amount with thousands separators: cents below $10,
// whole dollars above.
func Dollars(v float64) string {
	if math.Abs(v) < 10 {
		return fmt.Sprintf("%.2f", v)
	}
	s := fmt.Sprintf("%.0f", math.Abs(v))
	var b strings.Builder
	if v < 0 {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}
