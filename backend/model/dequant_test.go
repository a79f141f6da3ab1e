package model

import (
	"math"
	"testing"
)

func TestF16ToF32(t *testing.T) {
	for h := range 1 << 16 {
		got := f16ToF32(uint16(h))
		sign, exp, mant := h>>15, h>>10&0x1f, h&0x3ff
		var want float64
		switch exp {
		case 0:
			want = float64(mant) * math.Pow(2, -24)
		case 0x1f:
			want = math.Inf(1)
			if mant != 0 {
				if !math.IsNaN(float64(got)) {
					t.Fatalf("%#04x: got %v, want NaN", h, got)
				}
				continue
			}
		default:
			want = (1 + float64(mant)/1024) * math.Pow(2, float64(exp-15))
		}
		if sign == 1 {
			want = -want
		}
		if float64(got) != want || math.Signbit(float64(got)) != (sign == 1) {
			t.Fatalf("%#04x: got %v, want %v", h, got, want)
		}
		if back := f32ToF16(got); back != uint16(h) {
			t.Fatalf("%#04x: round trip gives %#04x", h, back)
		}
	}
	if got := bf16ToF32(0x3f80); got != 1 {
		t.Errorf("bf16 1.0 = %v", got)
	}
	if got := bf16ToF32(0xc0a0); got != -5 {
		t.Errorf("bf16 -5 = %v", got)
	}
}

// TestDequantise checks each type exactly against the values its test
// quantiser encoded, and that those values are close to the originals (so
// that the element order, not just the bits, is right).
func TestDequantise(t *testing.T) {
	tests := []struct {
		typ uint32
		tol float64 // relative RMS error of the quantisation itself
	}{
		{0, 0}, {1, 1e-3}, {30, 1e-2}, {8, 0.02}, {2, 0.2}, {3, 0.12}, {6, 0.1},
		{7, 0.06}, {12, 0.12}, {13, 0.06}, {14, 0.04},
	}
	for _, tc := range tests {
		typ, _ := ggmlTypeOf(tc.typ)
		t.Run(typ.name, func(t *testing.T) {
			x := testValues(4*256, uint64(tc.typ))
			data, want := quantise(tc.typ, x)
			if len(data) != len(x)/typ.blockSize*typ.typeSize {
				t.Fatalf("test quantiser made %d bytes, want %d", len(data), len(x)/typ.blockSize*typ.typeSize)
			}
			got := make([]float32, len(x))
			typ.dequant(got, data)
			var errSq, sq float64
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("element %d: got %v, want %v", i, got[i], want[i])
				}
				errSq += float64((got[i] - x[i]) * (got[i] - x[i]))
				sq += float64(x[i] * x[i])
			}
			rel := math.Sqrt(errSq / sq)
			t.Logf("relative RMS error %.4f", rel)
			if rel > tc.tol {
				t.Errorf("relative RMS error %.4f, want at most %.4f", rel, tc.tol)
			}
		})
	}
}

// TestDequantiseHandBuilt pins one block of each of the most used types to
// values worked out by hand from ggml's layouts.
func TestDequantiseHandBuilt(t *testing.T) {
	one, two := f32ToF16(1), f32ToF16(2)
	t.Run("Q8_0", func(t *testing.T) {
		b := make([]byte, 34)
		putHalf(b, two)
		b[2], b[3], b[33] = 3, 0xff, 0x80 // 3, -1, ..., -128
		got := make([]float32, 32)
		dequantQ8_0(got, b)
		if got[0] != 6 || got[1] != -2 || got[31] != -256 || got[2] != 0 {
			t.Errorf("got %v", got)
		}
	})
	t.Run("Q4_0", func(t *testing.T) {
		b := make([]byte, 18)
		putHalf(b, two)
		b[2] = 0xf0 // element 0: 0-8, element 16: 15-8
		got := make([]float32, 32)
		dequantQ4_0(got, b)
		if got[0] != -16 || got[16] != 14 || got[1] != -16 {
			t.Errorf("got %v", got)
		}
	})
	t.Run("Q4_1", func(t *testing.T) {
		b := make([]byte, 20)
		putHalf(b, two)
		putHalf(b[2:], f32ToF16(-1))
		b[4+15] = 0x3a // element 15: 10, element 31: 3
		got := make([]float32, 32)
		dequantQ4_1(got, b)
		if got[15] != 19 || got[31] != 5 || got[0] != -1 {
			t.Errorf("got %v", got)
		}
	})
	t.Run("Q4_K", func(t *testing.T) {
		b := make([]byte, 144)
		putHalf(b, one)
		putHalf(b[2:], two)
		s := b[4:16]
		s[1], s[5] = 3, 1 // sub-block 1: scale 3, min 1
		// Sub-block 5: scale 0x25 = 0b10_0101, min 0x1a = 0b01_1010.
		s[9] = 0x5 | 0xa<<4
		s[1] |= 0x2 << 6
		s[5] |= 0x1 << 6
		b[16+0] = 0x70    // element 0 (sub-block 0): 0, element 32 (sub-block 1): 7
		b[16+32+4] = 0x09 // element 64+4 (sub-block 2): 9; element 96+4 (sub-block 3): 0
		b[16+64+2] = 0xc0 // element 128+32+2 (sub-block 5): 12
		got := make([]float32, 256)
		dequantQ4_K(got, b)
		if got[32] != 3*7-2 || got[0] != 0 || got[68] != 0 || got[162] != 0x25*12-2*0x1a {
			t.Errorf("got %v %v %v %v", got[32], got[0], got[68], got[162])
		}
	})
	t.Run("Q6_K", func(t *testing.T) {
		b := make([]byte, 210)
		putHalf(b[208:], two)
		// Scales 1, -3 and 2 for sub-blocks 0, 5 and 15.
		b[192+0], b[192+5], b[192+15] = 1, 0xfd, 2
		b[0] = 0x0f  // element 0: low 15; element 64: low 0
		b[128] = 0x2 // element 0: high 2 -> 47-32 = 15
		// Element 80 (sub-block 5) is the high nibble of ql[16] and bits
		// 4-5 of qh[16].
		b[16] = 0x40
		b[128+16] = 0x10 // 16+4 = 20 -> -12
		// Element 255 (sub-block 15): second half, l=31, fourth quarter.
		b[64+63] = 0xf0
		b[128+32+31] = 0xc0 // 48+15 = 63 -> 31
		got := make([]float32, 256)
		dequantQ6_K(got, b)
		if got[0] != 2*1*15 || got[80] != 2*-3*-12 || got[255] != 2*2*31 || got[1] != 2*1*-32 {
			t.Errorf("got %v %v %v %v", got[0], got[80], got[255], got[1])
		}
	})
}

func BenchmarkDequantise(b *testing.B) {
	for _, typ := range []uint32{8, 3, 12, 14} {
		t, _ := ggmlTypeOf(typ)
		x := testValues(1<<16, 1)
		data, _ := quantise(typ, x)
		out := make([]float32, len(x))
		b.Run(t.name, func(b *testing.B) {
			b.SetBytes(int64(4 * len(x)))
			for b.Loop() {
				t.dequant(out, data)
			}
		})
	}
}
