package engine

import (
	"encoding/csv"
	"os"
	"testing"
	"time"

	"github.com/hone-ai/hone/backend/compute"
	"github.com/hone-ai/hone/backend/testfiles"
	"github.com/hone-ai/hone/backend/tokenizer"
)

// intent is one banking77 row: a customer message and its label.
type intent struct{ text, label string }

// banking77 reads the shared banking77 train.csv and splits it
// deterministically: the file is sorted by label, so taking every k-th row
// spreads both sets over all 77 labels; held-out rows (offset by half a
// stride) are picked first and never train.
func banking77(t testing.TB, nTrain, nHeld int) (train, held []intent) {
	t.Helper()
	f, err := os.Open(testfiles.Shared(t, "datasets", "banking77", "train.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	rows = rows[1:] // header: text,category
	trainStride, heldStride := len(rows)/nTrain, len(rows)/nHeld
	for i, r := range rows {
		switch {
		case i%heldStride == heldStride/2 && len(held) < nHeld:
			held = append(held, intent{r[0], r[1]})
		case i%trainStride == 0 && len(train) < nTrain:
			train = append(train, intent{r[0], r[1]})
		}
	}
	return train, held
}

// sample is a token sequence whose loss counts only from position start
// on: the answer, not the prompt.
type sample struct {
	ids   []int
	start int
}

// batchOf pads samples to the longest and masks everything but the answer
// tokens (target -100), as a loss mask over assistant turns does.
func batchOf(ss []sample) Batch {
	T := 0
	for _, s := range ss {
		T = max(T, len(s.ids)-1)
	}
	b := Batch{B: len(ss), T: T, Tokens: make([]int32, len(ss)*T), Targets: make([]int32, len(ss)*T)}
	for i, s := range ss {
		for j := range T {
			b.Tokens[i*T+j], b.Targets[i*T+j] = 0, -100
			if j+1 < len(s.ids) {
				b.Tokens[i*T+j] = int32(s.ids[j])
				if j+1 >= s.start {
					b.Targets[i*T+j] = int32(s.ids[j+1])
				}
			}
		}
	}
	return b
}

// answerTokens counts the targets that count in b.
func answerTokens(b Batch) int {
	n := 0
	for _, y := range b.Targets {
		if y >= 0 {
			n++
		}
	}
	return n
}

// heldOutLoss is the mean loss per answer token over all of ss, in
// batches of bs.
func heldOutLoss(t testing.TB, tr *Trainer, ss []sample, bs int) float64 {
	t.Helper()
	sum, n := 0.0, 0
	for i := 0; i < len(ss); i += bs {
		b := batchOf(ss[i:min(i+bs, len(ss))])
		loss, err := tr.Loss(b)
		if err != nil {
			t.Fatal(err)
		}
		c := answerTokens(b)
		sum += loss * float64(c)
		n += c
	}
	return sum / float64(n)
}

// fineTune runs steps LoRA steps over train, bs samples a step, cycling
// through it in order, and returns the held-out loss before and after.
func fineTune(t testing.TB, m *Model, train, held []sample, bs, steps int, lr float32) (before, after float64) {
	t.Helper()
	tr, err := NewTrainer(m, TrainOptions{AdamW: AdamW{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	before = heldOutLoss(t, tr, held, bs)
	evalTook := time.Since(start)
	start = time.Now()
	tokens := 0
	for step := range steps {
		i := (step * bs) % len(train)
		b := batchOf(train[i:min(i+bs, len(train))])
		loss, err := tr.Backward(b)
		if err != nil {
			t.Fatal(err)
		}
		tr.Update()
		tokens += b.B * b.T
		if step%max(1, steps/5) == 0 || step == steps-1 {
			t.Logf("step %d: train loss %.3f", step, loss)
		}
	}
	trainTook := time.Since(start)
	after = heldOutLoss(t, tr, held, bs)
	t.Logf("held-out loss on %d answers %.3f -> %.3f after %d steps of %d", len(held), before, after, steps, bs)
	t.Logf("training %d tokens (padding included) in %v: %.0f tokens/s; one held-out pass %v",
		tokens, trainTook.Round(time.Millisecond), float64(tokens)/trainTook.Seconds(), evalTook.Round(time.Millisecond))
	return before, after
}

// TestBanking77Stories260K: LoRA on ~300 banking77 rows, written as plain
// "text -> label" for a base model that has no chat template, lowers the
// loss of the labels of 100 held-out rows.
func TestBanking77Stories260K(t *testing.T) {
	forDevices(t, testBanking77Stories260K)
}

func testBanking77Stories260K(t *testing.T, dev compute.Device) {
	m, tok := stories260K(t, dev)
	trainRows, heldRows := banking77(t, 300, 100)
	toSamples := func(rows []intent) []sample {
		var ss []sample
		for _, r := range rows {
			prompt := tok.Encode(r.text+" ->", true)
			full := tok.Encode(r.text+" -> "+r.label, true)
			full = append(full, tok.EOS())
			ss = append(ss, sample{ids: full, start: commonPrefix(prompt, full)})
		}
		return ss
	}
	if err := m.AddLoRA(LoRAConfig{Rank: 8, Alpha: 16}, 1); err != nil {
		t.Fatal(err)
	}
	train, held := toSamples(trainRows), toSamples(heldRows)
	if len(train) != 300 || len(held) != 100 {
		t.Fatalf("%d training and %d held-out rows, want 300 and 100", len(train), len(held))
	}
	before, after := fineTune(t, m, train, held, 16, 20, 1e-2)
	if !(after < before) {
		t.Errorf("held-out loss %.3f -> %.3f: did not fall", before, after)
	}
}

// TestBanking77SmolLM2: the same task through SmolLM2-Instruct's own chat
// template (user: the message, assistant: the label); a short run (a few
// steps of 4 short sequences) so that it stays under a minute on 2 cores.
func TestBanking77SmolLM2(t *testing.T) {
	forDevices(t, testBanking77SmolLM2)
}

func testBanking77SmolLM2(t *testing.T, dev compute.Device) {
	m, tok, tmpl := smolLM2(t, dev)
	trainRows, heldRows := banking77(t, 300, 100)
	// A short system turn: the template's default one doubles the length.
	render := func(msgs []tokenizer.Message, gen bool) []int {
		text, err := tmpl.Render(msgs, tokenizer.RenderOptions{AddGenerationPrompt: gen})
		if err != nil {
			t.Fatal(err)
		}
		return tok.Encode(text, false)
	}
	toSamples := func(rows []intent) []sample {
		var ss []sample
		for _, r := range rows {
			msgs := []tokenizer.Message{{Role: "system", Content: "Name the banking intent."}, {Role: "user", Content: r.text}}
			prompt := render(msgs, true)
			full := render(append(msgs, tokenizer.Message{Role: "assistant", Content: r.label}), false)
			ss = append(ss, sample{ids: full, start: commonPrefix(prompt, full)})
		}
		return ss
	}
	train, held := toSamples(trainRows), toSamples(heldRows)
	if n := len(held[0].ids) - held[0].start; n < 2 || n > 20 {
		t.Fatalf("answer of %d tokens: the prompt is not a prefix of the conversation", n)
	}
	if err := m.AddLoRA(LoRAConfig{Rank: 8, Alpha: 16}, 1); err != nil {
		t.Fatal(err)
	}
	// held[:16] and 6 steps: the full 100 would take a minute on 2 cores
	// under -race by itself, and the loss falls far enough in 6 steps.
	before, after := fineTune(t, m, train, held[:16], 4, 6, 1e-3)
	if !(after < before) {
		t.Errorf("held-out loss %.3f -> %.3f: did not fall", before, after)
	}
}

// commonPrefix is how many leading ids a and b share: where the answer
// starts when a is the prompt and b the whole conversation.
func commonPrefix(a, b []int) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}
