package model

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hone-ai/hone/backend/testfiles"
)

// stories260K is the real llama2.c test model from the shared test data.
func stories260K(t *testing.T) string {
	t.Helper()
	return testfiles.Shared(t, "models", "stories260K", "stories260K.bin")
}

func TestLlama2CStories260K(t *testing.T) {
	path := stories260K(t)
	c, tensors, err := readLlama2C(path)
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		Name: "stories260K", Architecture: "llama", HiddenSize: 64, Layers: 5, Heads: 8, KVHeads: 4, HeadDim: 8,
		IntermediateSize: 172, VocabSize: 512, TiedEmbeddings: true, MaxPositions: 512,
		RopeTheta: 10000, NormEps: 1e-5, HiddenAct: "silu", Source: path,
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("config %+v\nwant   %+v", c, want)
	}
	// readLlama2C checked that the tensors and RoPE tables fill the file
	// exactly; check the sum here too.
	fi, _ := os.Stat(path)
	params := 0
	for _, tn := range tensors {
		params += tn.Len()
	}
	if got := int64(llama2cHeaderSize + 4*params + 2*4*512*4); got != fi.Size() {
		t.Errorf("tensors add up to %d bytes, file is %d", got, fi.Size())
	}
	if len(tensors) != 2+9*5 || params != 260032 {
		t.Errorf("%d tensors, %d parameters", len(tensors), params)
	}

	m, err := OpenModel(path)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	abs, _ := filepath.Abs(path)
	if m.Format != FormatLlama2C || m.Path != abs || m.Tokenizer != filepath.Join(filepath.Dir(abs), "tok512.bin") {
		t.Errorf("format %s, tokenizer %q", m.Format, m.Tokenizer)
	}
	if c, err := Load(path); err != nil || !reflect.DeepEqual(c, want) {
		t.Errorf("Load: %+v %v", c, err)
	}
}

// TestLlama2CGreedy runs a plain Hugging Face-style forward pass (rotate-half
// RoPE) over OpenModel's weights and checks greedy decoding against the
// known output of llama2.c's run.c: the names, shapes and RoPE reordering
// are all right only if the text comes out.
func TestLlama2CGreedy(t *testing.T) {
	m, err := OpenModel(stories260K(t))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	f := newRefForward(t, m)
	want := []int{403, 407, 261, 378, 432, 383, 286, 261, 376, 298}
	var got []int
	tok := 1 // BOS
	for pos := range len(want) {
		logits := f.step(tok, pos)
		tok = slices.Index(logits, slices.Max(logits))
		got = append(got, tok)
	}
	if !slices.Equal(got, want) {
		t.Errorf("greedy ids %v, want %v", got, want)
	}
}

// refForward is a minimal f32 Llama forward pass for one sequence.
type refForward struct {
	c      Config
	w      map[string][]float32
	kc, vc [][][]float32 // [layer][pos] cached keys and values
}

func newRefForward(t *testing.T, m *Model) *refForward {
	f := &refForward{c: m.Config, w: map[string][]float32{}}
	for _, tn := range m.Weights.Tensors() {
		x, err := m.Weights.ReadF32(tn.Name)
		if err != nil {
			t.Fatal(err)
		}
		f.w[tn.Name] = x
	}
	f.kc = make([][][]float32, f.c.Layers)
	f.vc = make([][][]float32, f.c.Layers)
	return f
}

func matVec(w, x []float32) []float32 {
	out := make([]float32, len(w)/len(x))
	for i := range out {
		var s float32
		for j, v := range x {
			s += w[i*len(x)+j] * v
		}
		out[i] = s
	}
	return out
}

func rmsNorm(x, w []float32, eps float64) []float32 {
	var ss float64
	for _, v := range x {
		ss += float64(v * v)
	}
	scale := float32(1 / math.Sqrt(ss/float64(len(x))+eps))
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = v * scale * w[i]
	}
	return out
}

// rotateHalf applies Hugging Face's RoPE to each head of x: dimension i
// pairs with i+d/2.
func rotateHalf(x []float32, d, pos int, theta float64) {
	for h := 0; h < len(x); h += d {
		for i := range d / 2 {
			angle := float64(pos) * math.Pow(theta, -float64(2*i)/float64(d))
			cos, sin := float32(math.Cos(angle)), float32(math.Sin(angle))
			a, b := x[h+i], x[h+i+d/2]
			x[h+i], x[h+i+d/2] = a*cos-b*sin, b*cos+a*sin
		}
	}
}

func (f *refForward) step(tok, pos int) []float32 {
	c, d := f.c, f.c.HeadDim
	x := slices.Clone(f.w["model.embed_tokens.weight"][tok*c.HiddenSize : (tok+1)*c.HiddenSize])
	for l := range c.Layers {
		p := "model.layers." + strconv.Itoa(l) + "."
		h := rmsNorm(x, f.w[p+"input_layernorm.weight"], c.NormEps)
		q := matVec(f.w[p+"self_attn.q_proj.weight"], h)
		k := matVec(f.w[p+"self_attn.k_proj.weight"], h)
		v := matVec(f.w[p+"self_attn.v_proj.weight"], h)
		rotateHalf(q, d, pos, c.RopeTheta)
		rotateHalf(k, d, pos, c.RopeTheta)
		f.kc[l], f.vc[l] = append(f.kc[l], k), append(f.vc[l], v)
		att := make([]float32, len(q))
		for hd := range c.Heads {
			kv := hd / (c.Heads / c.KVHeads) * d
			scores := make([]float64, pos+1)
			for t := range scores {
				var s float32
				for i := range d {
					s += q[hd*d+i] * f.kc[l][t][kv+i]
				}
				scores[t] = float64(s) / math.Sqrt(float64(d))
			}
			mx, sum := slices.Max(scores), 0.0
			for t := range scores {
				scores[t] = math.Exp(scores[t] - mx)
				sum += scores[t]
			}
			for t := range scores {
				for i := range d {
					att[hd*d+i] += float32(scores[t]/sum) * f.vc[l][t][kv+i]
				}
			}
		}
		for i, o := range matVec(f.w[p+"self_attn.o_proj.weight"], att) {
			x[i] += o
		}
		h = rmsNorm(x, f.w[p+"post_attention_layernorm.weight"], c.NormEps)
		gate, up := matVec(f.w[p+"mlp.gate_proj.weight"], h), matVec(f.w[p+"mlp.up_proj.weight"], h)
		for i, g := range gate {
			gate[i] = g / (1 + float32(math.Exp(float64(-g)))) * up[i]
		}
		for i, o := range matVec(f.w[p+"mlp.down_proj.weight"], gate) {
			x[i] += o
		}
	}
	x = rmsNorm(x, f.w["model.norm.weight"], c.NormEps)
	head := f.w["lm_head.weight"]
	if c.TiedEmbeddings {
		head = f.w["model.embed_tokens.weight"]
	}
	return matVec(head, x)
}

// writeLlama2C encodes a checkpoint with the given header and all weights
// set to their index (so each tensor's place shows in its values).
func writeLlama2C(h [7]int32, floats int) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, h)
	for i := range floats {
		binary.Write(&b, binary.LittleEndian, float32(i))
	}
	return b.Bytes()
}

func TestLlama2CUntiedAndBroken(t *testing.T) {
	// dim 8, hidden 12, 2 layers, 2 heads, 1 KV head, vocab 5 untied, seq 3.
	h := [7]int32{8, 12, 2, 2, 1, -5, 3}
	kvDim := 4
	perLayer := 8 + 8*8 + 2*kvDim*8 + 8*8 + 8 + 3*12*8
	total := 5*8 + 2*perLayer + 8 + 2*3*2 + 5*8
	good := writeLlama2C(h, total)
	path := writeFile(t, filepath.Join(t.TempDir(), "m.bin"), good)
	c, w, err := openLlama2C(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if c.TiedEmbeddings || c.VocabSize != 5 || c.HeadDim != 4 || c.KVHeads != 1 {
		t.Errorf("config %+v", c)
	}
	// lm_head comes after the final norm and the RoPE tables.
	head, err := w.ReadF32("lm_head.weight")
	if err != nil || head[0] != float32(total-40) || len(head) != 40 {
		t.Errorf("lm_head starts %v, %v", head[:1], err)
	}
	// Layer 1's k_proj: after embeddings, norms, all q_proj, layer 0's k_proj.
	k1, _ := w.ReadF32("model.layers.1.self_attn.k_proj.weight")
	if want := float32(5*8 + 2*8 + 2*64 + 32); k1[0] != want {
		t.Errorf("layer 1 k_proj starts at %v, want %v", k1[0], want)
	}

	for _, tc := range []struct {
		name    string
		data    []byte
		wantErr string
	}{
		{"short file", good[:len(good)-4], fmt.Sprintf("needs %d bytes but the file has %d", len(good), len(good)-4)},
		{"long file", append(slices.Clone(good), 0), fmt.Sprintf("needs %d bytes but the file has %d", len(good), len(good)+1)},
		{"header only", writeLlama2C(h, 0)[:20], "20 bytes is too short for the header"},
		{"zero layers", writeLlama2C([7]int32{8, 12, 0, 2, 1, 5, 3}, 10), "not a llama2.c checkpoint: config"},
		{"bad kv heads", writeLlama2C([7]int32{8, 12, 1, 2, 3, 5, 3}, 10), "heads (2) is not a multiple of kvHeads (3)"},
		{"version 1", writeLlama2C([7]int32{0x616b3432, 1, 0, 0, 0, 0, 0}, 10), "export version 1 is not supported"},
	} {
		path := writeFile(t, filepath.Join(t.TempDir(), "m.bin"), tc.data)
		if _, err := OpenModel(path); err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.wantErr)
		}
	}
}
