package data

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/hone-ai/hone/backend/compute/cpu"
	"github.com/hone-ai/hone/backend/dataset"
	"github.com/hone-ai/hone/backend/engine"
	"github.com/hone-ai/hone/backend/model"
	"github.com/hone-ai/hone/backend/testfiles"
)

func TestOrder(t *testing.T) {
	tests := []struct {
		n     int
		seed  uint64
		epoch int
	}{
		{0, 1, 0}, {1, 1, 0}, {2, 5, 3}, {100, 1, 0}, {100, 1, 1}, {100, 2, 0}, {1000, 42, 7},
	}
	for _, tt := range tests {
		p := Order(tt.n, tt.seed, tt.epoch)
		if s := slices.Sorted(slices.Values(p)); len(p) != tt.n || !slices.Equal(s, seq(tt.n)) {
			t.Errorf("Order(%d, %d, %d) = %v: not a permutation", tt.n, tt.seed, tt.epoch, p)
		}
		if !slices.Equal(Order(tt.n, tt.seed, tt.epoch), p) {
			t.Errorf("Order(%d, %d, %d) differs between calls", tt.n, tt.seed, tt.epoch)
		}
		if tt.n >= 100 && (slices.Equal(Order(tt.n, tt.seed, tt.epoch+1), p) || slices.Equal(Order(tt.n, tt.seed+1, tt.epoch), p) || slices.Equal(p, seq(tt.n))) {
			t.Errorf("Order(%d, %d, %d) equals another epoch's or seed's, or no shuffle", tt.n, tt.seed, tt.epoch)
		}
	}
	// Uniform: each of the 6 orders of 3 about equally often over epochs.
	counts := map[[3]int]int{}
	for e := range 6000 {
		p := Order(3, 11, e)
		counts[[3]int(p)]++
	}
	for k, c := range counts {
		if len(counts) != 6 || math.Abs(float64(c)-1000) > 150 {
			t.Errorf("order %v drawn %d times of 6000 (%d orders seen)", k, c, len(counts))
		}
	}
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// randomSequences are n sequences of 2..maxLen tokens (never 0, the pad),
// each with at least one target.
func randomSequences(n, maxLen int, seed uint64) []Sequence {
	r := rand.New(rand.NewPCG(seed, 1))
	out := make([]Sequence, n)
	for i := range out {
		l := 2 + r.IntN(maxLen-1)
		s := Sequence{Tokens: make([]int32, l), Loss: make([]bool, l), Example: int64(1000 + i)}
		for j := range l {
			s.Tokens[j] = 1 + r.Int32N(999)
			s.Loss[j] = j > 0 && r.IntN(2) == 0
		}
		s.Loss[1+r.IntN(l-1)] = true
		out[i] = s
	}
	return out
}

func TestPackerInvariants(t *testing.T) {
	tests := []struct {
		name      string
		n, maxLen int
		o         PackOptions
	}{
		{"one row of 8", 50, 8, PackOptions{B: 1, T: 8, Seed: 1}},
		{"3 rows of 16", 200, 16, PackOptions{B: 3, T: 16, Seed: 2, Pad: 7}},
		{"short sequences, long rows", 300, 10, PackOptions{B: 4, T: 64, Seed: 3}},
		{"fewer sequences than rows", 3, 12, PackOptions{B: 8, T: 12, Seed: 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seqs := randomSequences(tt.n, tt.maxLen, uint64(tt.n))
			p, err := NewPacker(seqs, tt.o)
			if err != nil {
				t.Fatal(err)
			}
			checkEpochs(t, p, seqs, 3)
		})
	}
}

// checkEpochs packs epochs from p's cursor (epoch 0) and checks each batch
// against the sequences it holds: rows of whole sequences in the epoch's
// order, positions restarting and starts at each sequence's first token,
// the targets of each sequence and no other (none across a boundary, none
// on padding), every sequence exactly once per epoch, and the counts.
func checkEpochs(t *testing.T, p *Packer, seqs []Sequence, epochs int) {
	t.Helper()
	byID := map[int64]Sequence{}
	for _, s := range seqs {
		byID[s.Example] = s
	}
	B, T := p.o.B, p.o.T
	for epoch := range epochs {
		var seen []int64
		batches := 0
		var padding, tokens int
		for {
			b, info := p.Next()
			batches++
			if info.Epoch != epoch || b.B != B || b.T != T || len(b.Tokens) != B*T || len(b.Targets) != B*T || len(b.Positions) != B*T || len(b.Starts) != B*T {
				t.Fatalf("epoch %d batch %d: %+v, %dx%d", epoch, batches, info, b.B, b.T)
			}
			checkBatch(t, b, info, byID, p.o.Pad)
			seen = append(seen, info.Examples...)
			padding, tokens = padding+info.Padding, tokens+info.Tokens
			if info.EpochEnd {
				break
			}
		}
		if want := p.EpochBatches(epoch); batches != want {
			t.Errorf("epoch %d: %d batches, EpochBatches says %d", epoch, batches, want)
		}
		var want []int64
		for _, k := range Order(len(seqs), p.o.Seed, epoch) {
			want = append(want, seqs[k].Example)
		}
		if !slices.Equal(seen, want) {
			t.Fatalf("epoch %d packed examples %v\nwant the epoch's order %v", epoch, seen, want)
		}
		if c := p.Cursor(); c != (Cursor{Epoch: epoch + 1}) {
			t.Fatalf("cursor after epoch %d: %+v", epoch, c)
		}
		t.Logf("epoch %d: %d batches, padding %.1f%%", epoch, batches, 100*float64(padding)/float64(padding+tokens))
	}
}

// checkBatch walks each row's examples by their Starts.
func checkBatch(t *testing.T, b engine.Batch, info BatchInfo, byID map[int64]Sequence, pad int32) {
	t.Helper()
	next, targets, tokens := 0, 0, 0
	for r := range b.B {
		row := r * b.T
		for j := 0; j < b.T; {
			if b.Starts[row+j] != int32(j) {
				t.Fatalf("row %d token %d: starts at %d, want a new example here", r, j, b.Starts[row+j])
			}
			end := j + 1
			for end < b.T && b.Starts[row+end] == int32(j) {
				end++
			}
			for k := j; k < end; k++ {
				if b.Positions[row+k] != int32(k-j) {
					t.Fatalf("row %d token %d: position %d, want %d", r, k, b.Positions[row+k], k-j)
				}
			}
			s, ok := Sequence{}, next < len(info.Examples)
			if ok {
				s = byID[info.Examples[next]]
				ok = len(s.Tokens) == end-j && slices.Equal(b.Tokens[row+j:row+end], s.Tokens)
			}
			if !ok { // the row's padding: to its end, no target
				for k := j; k < b.T; k++ {
					if b.Tokens[row+k] != pad || b.Targets[row+k] != Ignore || b.Starts[row+k] != int32(j) {
						t.Fatalf("row %d token %d: %d -> %d after the row's examples, want padding", r, k, b.Tokens[row+k], b.Targets[row+k])
					}
				}
				break
			}
			for k := range s.Tokens {
				want := int32(Ignore)
				if k+1 < len(s.Tokens) && s.Loss[k+1] {
					want = s.Tokens[k+1]
				}
				if b.Targets[row+j+k] != want {
					t.Fatalf("example %d token %d: target %d, want %d", s.Example, k, b.Targets[row+j+k], want)
				}
			}
			targets += s.Targets()
			tokens += len(s.Tokens)
			next++
			j = end
		}
	}
	if next != len(info.Examples) || next != info.Sequences {
		t.Fatalf("found %d of the batch's %d examples (%d sequences)", next, len(info.Examples), info.Sequences)
	}
	count := 0
	for _, y := range b.Targets {
		if y >= 0 {
			count++
		}
	}
	if info.Targets != targets || count != targets || info.Tokens != tokens || info.Padding != b.B*b.T-tokens ||
		info.PadShare != float64(info.Padding)/float64(b.B*b.T) {
		t.Fatalf("info %+v; counted %d targets (%d in the batch), %d tokens", info, targets, count, tokens)
	}
}

// TestResume: from any checkpointed cursor, a new packer gives exactly the
// batches an uninterrupted run gave.
func TestResume(t *testing.T) {
	seqs := randomSequences(60, 20, 9)
	o := PackOptions{B: 2, T: 32, Seed: 77}
	type step struct {
		before Cursor
		batch  engine.Batch
		info   BatchInfo
	}
	p, err := NewPacker(seqs, o)
	if err != nil {
		t.Fatal(err)
	}
	var run []step
	for p.Cursor().Epoch < 3 {
		c := p.Cursor()
		b, info := p.Next()
		run = append(run, step{c, b, info})
	}
	for k := range run {
		raw, err := json.Marshal(run[k].before) // as a checkpoint keeps it
		if err != nil {
			t.Fatal(err)
		}
		var c Cursor
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Fatal(err)
		}
		q, err := NewPacker(seqs, o)
		if err != nil {
			t.Fatal(err)
		}
		if err := q.Seek(c); err != nil {
			t.Fatal(err)
		}
		for i := k; i < len(run); i++ {
			b, info := q.Next()
			if !reflect.DeepEqual(b, run[i].batch) || !reflect.DeepEqual(info, run[i].info) {
				t.Fatalf("resumed at batch %d (%s): batch %d differs", k, raw, i)
			}
		}
	}
	// The end of an epoch is the start of the next.
	q, _ := NewPacker(seqs, o)
	if err := q.Seek(Cursor{Epoch: 1, Next: len(seqs)}); err != nil || q.Cursor() != (Cursor{Epoch: 2}) {
		t.Errorf("seek to the end of epoch 1: %+v, %v", q.Cursor(), err)
	}
}

func TestPackerRefuses(t *testing.T) {
	good := randomSequences(3, 8, 1)
	noTarget := Sequence{Tokens: []int32{5, 6, 7}, Loss: []bool{true, false, false}, Example: 9}
	tests := []struct {
		name string
		seqs []Sequence
		o    PackOptions
		want string
	}{
		{"no sequence", nil, PackOptions{B: 1, T: 8}, "no sequence"},
		{"no row", good, PackOptions{B: 0, T: 8}, "want at least 1 row"},
		{"longer than a row", good, PackOptions{B: 1, T: 4}, "more than a row's 4"},
		{"no target", append(slices.Clone(good), noTarget), PackOptions{B: 1, T: 8}, "example 9) has no target"},
		{"loss of another length", []Sequence{{Tokens: []int32{1, 2}, Loss: []bool{false}}}, PackOptions{B: 1, T: 8}, "1 loss flags"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewPacker(tt.seqs, tt.o); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
	p, _ := NewPacker(good, PackOptions{B: 1, T: 8})
	for _, c := range []Cursor{{-1, 0}, {0, -1}, {0, 4}} {
		if err := p.Seek(c); err == nil {
			t.Errorf("seek to %+v accepted", c)
		}
	}
}

// TestPackedBatchInTheEngine: the engine's loss on a packed batch of real
// examples (stories260K, no template) is the target-weighted mean of each
// example's loss alone: the positions and starts keep examples apart.
func TestPackedBatchInTheEngine(t *testing.T) {
	m := stories260K(t)
	mm, err := model.OpenModel(testfiles.Shared(t, "models", "stories260K", "stories260K.bin"))
	if err != nil {
		t.Fatal(err)
	}
	defer mm.Close()
	em, err := engine.Load(mm, cpu.New())
	if err != nil {
		t.Fatal(err)
	}
	tr, err := engine.NewTrainer(em, engine.TrainOptions{Base: true})
	if err != nil {
		t.Fatal(err)
	}
	e := NewEncoder(m.tok, nil, Options{})
	var seqs []Sequence
	for i, r := range banking77(t)[1:9] {
		s, err := e.Encode(dataset.Example{ID: int64(i + 1), Messages: chat("user", r[0]), Label: r[1]})
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, s)
	}
	longest := 0
	for _, s := range seqs {
		longest = max(longest, len(s.Tokens))
	}
	// Rows of twice the longest: at least two examples a row.
	p, err := NewPacker(seqs, PackOptions{B: 2, T: 2 * longest})
	if err != nil {
		t.Fatal(err)
	}
	packed, info := p.Next()
	if info.Sequences < 4 {
		t.Fatalf("only %d sequences packed", info.Sequences)
	}
	var sum float64
	for _, id := range info.Examples {
		s := seqs[id-1]
		alone, err := NewPacker([]Sequence{s}, PackOptions{B: 1, T: len(s.Tokens)})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := alone.Next()
		l, err := tr.Loss(b)
		if err != nil {
			t.Fatal(err)
		}
		sum += l * float64(s.Targets())
	}
	got, err := tr.Loss(packed)
	if err != nil {
		t.Fatal(err)
	}
	if want := sum / float64(info.Targets); math.Abs(got-want) > 1e-5*want {
		t.Errorf("packed loss %v, want %v (%d sequences, %d targets)", got, want, info.Sequences, info.Targets)
	}
}

func TestDigest(t *testing.T) {
	base := randomSequences(20, 10, 5)
	edit := func(f func(s []Sequence)) []Sequence {
		c := make([]Sequence, len(base))
		for i, s := range base {
			c[i] = Sequence{Tokens: slices.Clone(s.Tokens), Loss: slices.Clone(s.Loss), Example: s.Example}
		}
		f(c)
		return c
	}
	tests := []struct {
		name string
		seqs []Sequence
		same bool
	}{
		{"a copy", edit(func([]Sequence) {}), true},
		{"a token", edit(func(s []Sequence) { s[3].Tokens[1]++ }), false},
		{"a mask", edit(func(s []Sequence) { s[7].Loss[1] = !s[7].Loss[1] }), false},
		{"an example id", edit(func(s []Sequence) { s[0].Example++ }), false},
		{"the order", edit(func(s []Sequence) { s[0], s[1] = s[1], s[0] }), false},
		{"one fewer", base[1:], false},
		{"a token moved to the next sequence", edit(func(s []Sequence) {
			s[0].Tokens, s[0].Loss = s[0].Tokens[:len(s[0].Tokens)-1], s[0].Loss[:len(s[0].Loss)-1]
			s[1].Tokens, s[1].Loss = append([]int32{base[0].Tokens[len(base[0].Tokens)-1]}, s[1].Tokens...), append([]bool{base[0].Loss[len(base[0].Loss)-1]}, s[1].Loss...)
		}), false},
	}
	want := Digest(base)
	for _, tt := range tests {
		if got := Digest(tt.seqs); (got == want) != tt.same {
			t.Errorf("%s: digest %s, base %s, want same %v", tt.name, got, want, tt.same)
		}
	}
}
