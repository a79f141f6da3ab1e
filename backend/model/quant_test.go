package model

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"slices"
)

// Reference quantisers for the tests. Each turns float32 values into ggml
// blocks, packing the codes exactly as ggml's quantize_row_*_ref does, and
// returns the values the blocks stand for, computed from the codes rather
// than from the bytes: a dequantiser that reads any bit from the wrong
// place disagrees with them.

// f32ToF16 rounds to the nearest half, ties to even.
func f32ToF16(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int(b>>23&0xff) - 127 + 15
	mant := b & 0x7fffff
	switch {
	case b&0x7fffffff > 0x7f800000: // NaN
		return sign | 0x7e00
	case exp >= 31:
		return sign | 0x7c00
	case exp <= 0: // subnormal half
		if exp < -10 {
			return sign
		}
		mant |= 0x800000
		shift := uint(14 - exp)
		h := mant >> shift
		rem, half := mant&(1<<shift-1), uint32(1)<<(shift-1)
		if rem > half || rem == half && h&1 == 1 {
			h++
		}
		return sign | uint16(h)
	}
	h := uint32(exp)<<10 | mant>>13
	if rem := mant & 0x1fff; rem > 0x1000 || rem == 0x1000 && h&1 == 1 {
		h++ // a carry into the exponent is still right
	}
	return sign | uint16(h)
}

// half rounds v to a half and returns its bits and value.
func half(v float32) (uint16, float32) {
	h := f32ToF16(v)
	return h, f16ToF32(h)
}

func putHalf(b []byte, h uint16) { binary.LittleEndian.PutUint16(b, h) }

func clampRound(v float32, lo, hi int) int {
	if math.IsNaN(float64(v)) {
		return lo
	}
	return min(max(int(math.Round(float64(v))), lo), hi)
}

func safeDiv(a, b float32) float32 {
	if b == 0 {
		return 0
	}
	return a / b
}

func minMax(x []float32) (lo, hi float32) {
	return slices.Min(x), slices.Max(x)
}

func absMax(x []float32) float32 {
	lo, hi := minMax(x)
	return max(-lo, hi)
}

// quantise encodes x (a whole number of blocks) as ggml type typ.
func quantise(typ uint32, x []float32) (data []byte, want []float32) {
	switch typ {
	case 0:
		data = make([]byte, 4*len(x))
		for i, v := range x {
			binary.LittleEndian.PutUint32(data[4*i:], math.Float32bits(v))
		}
		return data, slices.Clone(x)
	case 1:
		data = make([]byte, 2*len(x))
		want = make([]float32, len(x))
		for i, v := range x {
			h, f := half(v)
			putHalf(data[2*i:], h)
			want[i] = f
		}
		return data, want
	case 30:
		data = make([]byte, 2*len(x))
		want = make([]float32, len(x))
		for i, v := range x {
			h := uint16(math.Float32bits(v) >> 16) // truncation is a valid bf16 too
			binary.LittleEndian.PutUint16(data[2*i:], h)
			want[i] = math.Float32frombits(uint32(h) << 16)
		}
		return data, want
	}
	t, _ := ggmlTypeOf(typ)
	for b := 0; b < len(x); b += t.blockSize {
		d, w := quantBlock(typ, x[b:b+t.blockSize])
		data, want = append(data, d...), append(want, w...)
	}
	return data, want
}

func quantBlock(typ uint32, x []float32) ([]byte, []float32) {
	switch typ {
	case 2:
		return q4_0(x)
	case 3:
		return q4_1(x)
	case 6:
		return q5_0(x)
	case 7:
		return q5_1(x)
	case 8:
		return q8_0(x)
	case 12:
		return qK(x, false)
	case 13:
		return qK(x, true)
	case 14:
		return q6K(x)
	}
	panic("no test quantiser")
}

func q8_0(x []float32) ([]byte, []float32) {
	b := make([]byte, 34)
	dh, d := half(absMax(x) / 127)
	putHalf(b, dh)
	want := make([]float32, 32)
	for j, v := range x {
		q := clampRound(safeDiv(v, d), -127, 127)
		b[2+j] = byte(int8(q))
		want[j] = float32(q) * d
	}
	return b, want
}

// pack4 puts 4-bit codes as Q4_0/Q4_1/Q5_x do: byte j holds code j low and
// code j+16 high.
func pack4(dst []byte, q []int) {
	for j := range 16 {
		dst[j] = byte(q[j]&15 | (q[j+16]&15)<<4)
	}
}

// pack5high puts the fifth bits of 32 codes in a little-endian uint32.
func pack5high(dst []byte, q []int) {
	var qh uint32
	for j, v := range q {
		qh |= uint32(v>>4&1) << j
	}
	binary.LittleEndian.PutUint32(dst, qh)
}

func q4_0(x []float32) ([]byte, []float32) {
	b := make([]byte, 18)
	dh, d := half(absMax(x) / 7)
	putHalf(b, dh)
	q, want := make([]int, 32), make([]float32, 32)
	for j, v := range x {
		q[j] = clampRound(safeDiv(v, d), -8, 7) + 8
		want[j] = float32(q[j]-8) * d
	}
	pack4(b[2:], q)
	return b, want
}

func q4_1(x []float32) ([]byte, []float32) {
	b := make([]byte, 20)
	lo, hi := minMax(x)
	dh, d := half((hi - lo) / 15)
	mh, m := half(lo)
	putHalf(b, dh)
	putHalf(b[2:], mh)
	q, want := make([]int, 32), make([]float32, 32)
	for j, v := range x {
		q[j] = clampRound(safeDiv(v-m, d), 0, 15)
		want[j] = float32(float32(q[j])*d) + m
	}
	pack4(b[4:], q)
	return b, want
}

func q5_0(x []float32) ([]byte, []float32) {
	b := make([]byte, 22)
	dh, d := half(absMax(x) / 15)
	putHalf(b, dh)
	q, want := make([]int, 32), make([]float32, 32)
	for j, v := range x {
		q[j] = clampRound(safeDiv(v, d), -16, 15) + 16
		want[j] = float32(q[j]-16) * d
	}
	pack5high(b[2:], q)
	pack4(b[6:], q)
	return b, want
}

func q5_1(x []float32) ([]byte, []float32) {
	b := make([]byte, 24)
	lo, hi := minMax(x)
	dh, d := half((hi - lo) / 31)
	mh, m := half(lo)
	putHalf(b, dh)
	putHalf(b[2:], mh)
	q, want := make([]int, 32), make([]float32, 32)
	for j, v := range x {
		q[j] = clampRound(safeDiv(v-m, d), 0, 31)
		want[j] = float32(float32(q[j])*d) + m
	}
	pack5high(b[4:], q)
	pack4(b[8:], q)
	return b, want
}

// qK makes a Q4_K block, or a Q5_K block with fiveBits: 8 sub-blocks of 32,
// each with a 6-bit scale and min relative to the half d and dmin.
func qK(x []float32, fiveBits bool) ([]byte, []float32) {
	levels := float32(15)
	size := 144
	if fiveBits {
		levels, size = 31, 176
	}
	var scale, mins [8]float32
	for s := range 8 {
		lo, hi := minMax(x[32*s : 32*s+32])
		lo = min(lo, 0)
		scale[s], mins[s] = (hi-lo)/levels, -lo
	}
	dh, d := half(slices.Max(scale[:]) / 63)
	mh, dmin := half(slices.Max(mins[:]) / 63)
	b := make([]byte, size)
	putHalf(b, dh)
	putHalf(b[2:], mh)
	var sc, m [8]int
	for s := range 8 {
		sc[s] = clampRound(safeDiv(scale[s], d), 0, 63)
		m[s] = clampRound(safeDiv(mins[s], dmin), 0, 63)
	}
	// Scales as quantize_row_q4_K_ref packs them.
	scales := b[4:16]
	for j := range 8 {
		if j < 4 {
			scales[j] = byte(sc[j])
			scales[j+4] = byte(m[j])
		} else {
			scales[j+4] = byte(sc[j]&0xf | (m[j]&0xf)<<4)
			scales[j-4] |= byte(sc[j] >> 4 << 6)
			scales[j] |= byte(m[j] >> 4 << 6)
		}
	}
	q, want := make([]int, 256), make([]float32, 256)
	for i, v := range x {
		s := i / 32
		ds, ms := d*float32(sc[s]), dmin*float32(m[s])
		q[i] = clampRound(safeDiv(v+ms, ds), 0, int(levels))
		want[i] = float32(ds*float32(q[i])) - ms
	}
	qs := b[16:144]
	if fiveBits {
		qh := b[16:48]
		qs = b[48:176]
		for n := 0; n < 4; n++ { // as quantize_row_q5_K_ref
			for j := range 32 {
				if q[64*n+j] > 15 {
					qh[j] |= 1 << (2 * n)
				}
				if q[64*n+j+32] > 15 {
					qh[j] |= 2 << (2 * n)
				}
			}
		}
	}
	for n := range 4 {
		for j := range 32 {
			qs[32*n+j] = byte(q[64*n+j]&15 | (q[64*n+j+32]&15)<<4)
		}
	}
	return b, want
}

// q6K makes a Q6_K block: 16 sub-blocks of 16 with an int8 scale.
func q6K(x []float32) ([]byte, []float32) {
	var scale [16]float32
	for s := range 16 {
		scale[s] = absMax(x[16*s:16*s+16]) / 31
	}
	dh, d := half(slices.Max(scale[:]) / 127)
	b := make([]byte, 210)
	putHalf(b[208:], dh)
	var sc [16]int
	for s := range 16 {
		sc[s] = clampRound(safeDiv(scale[s], d), -128, 127)
		b[192+s] = byte(int8(sc[s]))
	}
	L, want := make([]int, 256), make([]float32, 256)
	for i, v := range x {
		s := i / 16
		L[i] = clampRound(safeDiv(v, d*float32(sc[s])), -32, 31) + 32
		want[i] = d * float32(sc[s]) * float32(L[i]-32)
	}
	// As quantize_row_q6_K_ref packs them.
	for n := range 2 {
		ql, qh, l0 := b[64*n:], b[128+32*n:], 128*n
		for l := range 32 {
			ql[l] = byte(L[l0+l]&15 | (L[l0+l+64]&15)<<4)
			ql[l+32] = byte(L[l0+l+32]&15 | (L[l0+l+96]&15)<<4)
			qh[l] = byte(L[l0+l]>>4 | L[l0+l+32]>>4<<2 | L[l0+l+64]>>4<<4 | L[l0+l+96]>>4<<6)
		}
	}
	return b, want
}

// testValues is n values that look like weights: mostly small, some
// larger, a few exactly zero.
func testValues(n int, seed uint64) []float32 {
	r := rand.New(rand.NewPCG(seed, 1))
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64() * 0.05)
		if r.IntN(50) == 0 {
			x[i] *= 10
		}
		if r.IntN(100) == 0 {
			x[i] = 0
		}
	}
	return x
}
