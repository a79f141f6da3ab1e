package engine

import (
	"encoding/binary"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/hone-ai/hone/backend/compute"
	"github.com/hone-ai/hone/backend/model"
	"github.com/hone-ai/hone/kernels/cpu"
)

// toHalf truncates a normal float32 (or zero) to half precision.
func toHalf(f float32) uint16 {
	b := math.Float32bits(f)
	if b&0x7fffffff == 0 {
		return 0
	}
	return uint16(b>>16&0x8000) | uint16((b>>23&0xff)-112)<<10 | uint16(b>>13&0x3ff)
}

// quantizeRows packs w [rows, cols] as Q8_0 or Q4_1, as llama.cpp's
// quantisers would up to rounding.
func quantizeRows(w []float32, t cpu.QType) []byte {
	bs := t.RowBytes(32)
	out := make([]byte, len(w)/32*bs)
	for b := range len(w) / 32 {
		x, blk := w[32*b:32*b+32], out[bs*b:bs*b+bs]
		switch t {
		case cpu.Q8_0:
			amax := float32(0)
			for _, v := range x {
				amax = max(amax, float32(math.Abs(float64(v))))
			}
			binary.LittleEndian.PutUint16(blk, toHalf(amax/127))
			if amax > 0 {
				for j, v := range x {
					blk[2+j] = byte(int8(math.Round(float64(v * 127 / amax))))
				}
			}
		case cpu.Q4_1:
			lo, hi := slices.Min(x), slices.Max(x)
			hd, hm := toHalf((hi-lo)/15), toHalf(lo)
			binary.LittleEndian.PutUint16(blk, hd)
			binary.LittleEndian.PutUint16(blk[2:], hm)
			d, m := fromHalf(hd), fromHalf(hm)
			q := func(v float32) byte {
				if d == 0 {
					return 0
				}
				return byte(min(15, max(0, math.Round(float64((v-m)/d)))))
			}
			for j := range 16 {
				blk[4+j] = q(x[j]) | q(x[j+16])<<4
			}
		}
	}
	return out
}

func fromHalf(h uint16) float32 {
	if h&0x7fff == 0 {
		return 0
	}
	return math.Float32frombits(uint32(h&0x8000)<<16 | (uint32(h>>10&0x1f)+112)<<23 | uint32(h&0x3ff)<<13)
}

// packedCopy returns m with its embedding, LM head and every linear whose
// rows are whole blocks packed as qt, and an f32 model holding exactly the
// packed values (dequantised by backend/model) to compare it with.
func packedCopy(t *testing.T, m *Model, qt cpu.QType, name string) (packed, ref *Model) {
	t.Helper()
	dt, ok := compute.BlockDType(name)
	if !ok {
		t.Fatalf("%s is not a block type", name)
	}
	pack := func(w *Tensor, fine bool) (*Tensor, *Tensor) {
		rows, cols := w.Dim(0), w.Dim(1)
		if cols%32 != 0 {
			return w, w
		}
		data := quantizeRows(m.Host(w), qt)
		f := make([]float32, rows*cols)
		if err := model.Dequantize(name, f, data); err != nil {
			t.Fatal(err)
		}
		pw, err := m.dev.UploadWeight(compute.HostWeight{DType: dt, Rows: rows, Cols: cols, Blocks: data, Fine: fine})
		if err != nil {
			t.Fatal(err)
		}
		return pw, m.dev.FromHost(f, rows, cols)
	}
	p, r := *m, *m
	p.layers, r.layers = slices.Clone(m.layers), slices.Clone(m.layers)
	tied := m.head == m.embed
	p.embed, r.embed = pack(m.embed, tied) // a tied head takes 16-bit inputs, as LoadPacked makes it
	p.head, r.head = p.embed, r.embed
	if !tied {
		p.head, r.head = pack(m.head, true)
	}
	for l := range p.layers {
		for i := range p.layers[l].lin {
			p.layers[l].lin[i].w, r.layers[l].lin[i].w = pack(m.layers[l].lin[i].w, false)
		}
	}
	return &p, &r
}

// closeLogits runs seq through both models, prefill then a token at a
// time, and checks that their logits agree within tol of each position's
// range (8-bit inputs in decoding move them), and so do their top choices
// wherever want's leads its runner-up by more than twice that.
func closeLogits(t *testing.T, what string, got, want *Model, seq []int, tol float64) {
	t.Helper()
	run := func(m *Model) []float32 {
		cache := m.NewCache(len(seq))
		x, err := m.Forward(cache, seq[:len(seq)/2])
		if err != nil {
			t.Fatal(err)
		}
		out := slices.Clone(x)
		for _, tok := range seq[len(seq)/2:] {
			x, err := m.Forward(cache, []int{tok})
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, x...)
		}
		return out
	}
	g, w := run(got), run(want)
	V := got.Config.VocabSize
	worst, agree := 0.0, 0
	for p := range len(seq) {
		gr, wr := g[p*V:(p+1)*V], w[p*V:(p+1)*V]
		scale := float64(slices.Max(wr) - slices.Min(wr))
		for i := range gr {
			worst = max(worst, math.Abs(float64(gr[i]-wr[i]))/scale)
		}
		best := slices.Index(wr, slices.Max(wr))
		if slices.Index(gr, slices.Max(gr)) == best {
			agree++
			continue
		}
		second := slices.Max(slices.Concat(wr[:best], wr[best+1:]))
		if margin := float64(wr[best]-second) / scale; margin > 2*tol {
			t.Errorf("%s: position %d: top choice differs though it leads by %.3g of the range", what, p, margin)
		}
	}
	t.Logf("%s: worst logit error %.3g of the logits' range, top-1 agrees at %d of %d positions", what, worst, agree, len(seq))
	if worst > tol {
		t.Errorf("%s: packed logits differ from f32 ones on the same weights by %.3g of their range (tolerance %g)", what, worst, tol)
	}
}

// TestPackedStories260K compares a packed model, with and without LoRA
// adapters, with the f32 model of the same values.
func TestPackedStories260K(t *testing.T) {
	forDevices(t, testPackedStories260K)
}

func testPackedStories260K(t *testing.T, dev compute.Device) {
	m, tok := stories260K(t, dev)
	seq := append([]int{tok.BOS()}, tok.Encode("Once upon a time, there was a little girl named Lily. She loved to play", false)...)
	for _, qt := range []struct {
		t    cpu.QType
		name string
	}{{cpu.Q8_0, "Q8_0"}, {cpu.Q4_1, "Q4_1"}} {
		p, ref := packedCopy(t, m, qt.t, qt.name)
		if !p.Packed() || ref.Packed() {
			t.Fatal("Packed() is wrong")
		}
		closeLogits(t, qt.name, p, ref, seq, 0.02)
		cfg := LoRAConfig{Rank: 4, Alpha: 8}
		if err := p.AddLoRA(cfg, 7); err != nil {
			t.Fatal(err)
		}
		if err := ref.AddLoRA(cfg, 7); err != nil {
			t.Fatal(err)
		}
		for l := range p.layers {
			for i := range p.layers[l].lin {
				b := make([]float32, p.layers[l].lin[i].lora.B.Len())
				for j := range b {
					b[j] = float32(math.Sin(float64(j+l+i))) * 0.05
				}
				dev.Upload(p.layers[l].lin[i].lora.B, b)
				dev.Upload(ref.layers[l].lin[i].lora.B, b)
			}
		}
		closeLogits(t, qt.name+" with LoRA", p, ref, seq, 0.02)
		if _, err := NewTrainer(p, TrainOptions{}); err == nil || !strings.Contains(err.Error(), "LoadPacked") {
			t.Errorf("training a packed model: %v", err)
		}
		if err := p.QuantizeNF4(); err == nil || !strings.Contains(err.Error(), "LoadPacked") {
			t.Errorf("NF4 over a packed model: %v", err)
		}
	}
}

// TestNext checks that Next gives Forward's last row, for a prompt and
// then a token.
func TestNext(t *testing.T) {
	forDevices(t, testNext)
}

func testNext(t *testing.T, dev compute.Device) {
	m, tok := stories260K(t, dev)
	seq := append([]int{tok.BOS()}, tok.Encode("Once upon a time", false)...)
	all, err := m.Forward(m.NewCache(len(seq)), seq)
	if err != nil {
		t.Fatal(err)
	}
	cache := m.NewCache(len(seq))
	for _, part := range [][]int{seq[:len(seq)-1], seq[len(seq)-1:]} {
		got, err := m.Next(cache, part)
		if err != nil {
			t.Fatal(err)
		}
		V := m.Config.VocabSize
		want := all[(cache.Len-1)*V : cache.Len*V]
		for i := range want {
			if math.Abs(float64(got[i]-want[i])) > 1e-4*(1+math.Abs(float64(want[i]))) {
				t.Fatalf("after %d tokens: logit %d is %g, Forward's %g", cache.Len, i, got[i], want[i])
			}
		}
	}
}
