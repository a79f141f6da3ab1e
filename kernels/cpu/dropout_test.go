package cpu

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hone-ai/hone/kernels/ref"
)

// TestDropout: the kernel's mask is the reference's bit for bit, drops
// about p of a large tensor, scales the survivors by 1/(1-p), works in
// place, is the same for the same seed and differs for another.
func TestDropout(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, p := range []float32{0, 0.05, 0.5} {
		x := ref.Randn(r, 100003, 1)
		out := make([]float32, len(x))
		Dropout(out, x, p, 0xdeadbeef12345678)
		want := ref.Dropout(x, p, 0xdeadbeef12345678)
		dropped := 0
		for i := range out {
			if float64(out[i]) != float64(float32(want[i])) {
				t.Fatalf("p=%g: [%d] = %g, want %g", p, i, out[i], want[i])
			}
			if out[i] == 0 {
				dropped++
			}
		}
		frac := float64(dropped) / float64(len(x))
		if math.Abs(frac-float64(p)) > 0.005 {
			t.Errorf("p=%g: dropped %.4f of the values", p, frac)
		}
		in := append([]float32(nil), x...)
		Dropout(in, in, p, 0xdeadbeef12345678)
		for i := range in {
			if in[i] != out[i] {
				t.Fatalf("p=%g: in place differs at %d", p, i)
			}
		}
		if p > 0 {
			other := make([]float32, len(x))
			Dropout(other, x, p, 0xdeadbeef12345679)
			same := 0
			for i := range other {
				if (other[i] == 0) == (out[i] == 0) {
					same++
				}
			}
			if same == len(x) {
				t.Errorf("p=%g: another seed drew the same mask", p)
			}
		}
	}
}
