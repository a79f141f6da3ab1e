package model

import (
	"encoding/binary"
	"math"
	"runtime"
	"sync"
)

// Dequantisers follow ggml's block layouts (ggml-common.h) and its
// dequantize_row_* functions in ggml-quants.c. Each takes whole blocks:
// len(dst) = blocks * block size, len(src) = blocks * type size. Products
// are rounded to float32 before adding (float32(a*b) + c) so that no
// platform fuses them into an FMA and the results are the same everywhere.

// f16ToF32 converts an IEEE half-precision value.
func f16ToF32(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)
	switch {
	case exp == 0x1f: // infinity, NaN
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	case exp != 0:
		return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
	}
	// Zero or subnormal: mant * 2^-24, exact in float32.
	v := float32(mant) * (1.0 / (1 << 24))
	if sign != 0 {
		return -v
	}
	return v
}

func bf16ToF32(h uint16) float32 { return math.Float32frombits(uint32(h) << 16) }

func halfAt(b []byte, i int) float32 { return f16ToF32(binary.LittleEndian.Uint16(b[i:])) }

func convertF32(dst []float32, src []byte) {
	for i := range dst {
		dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))
	}
}

func convertF16(dst []float32, src []byte) {
	for i := range dst {
		dst[i] = f16ToF32(binary.LittleEndian.Uint16(src[2*i:]))
	}
}

func convertBF16(dst []float32, src []byte) {
	for i := range dst {
		dst[i] = bf16ToF32(binary.LittleEndian.Uint16(src[2*i:]))
	}
}

// dequantQ8_0: block_q8_0 {half d; int8 qs[32]}, x = d*q.
func dequantQ8_0(dst []float32, src []byte) {
	for ; len(src) >= 34; src, dst = src[34:], dst[32:] {
		d := halfAt(src, 0)
		for j, q := range src[2:34] {
			dst[j] = float32(int8(q)) * d
		}
	}
}

// dequantQ4_0: block_q4_0 {half d; uint8 qs[16]}; byte j holds element j
// in its low nibble and element j+16 in its high one, x = d*(q-8).
func dequantQ4_0(dst []float32, src []byte) {
	for ; len(src) >= 18; src, dst = src[18:], dst[32:] {
		d := halfAt(src, 0)
		for j, q := range src[2:18] {
			dst[j] = float32(int(q&0xf)-8) * d
			dst[j+16] = float32(int(q>>4)-8) * d
		}
	}
}

// dequantQ4_1: block_q4_1 {half d, m; uint8 qs[16]}, nibbles as Q4_0,
// x = d*q + m.
func dequantQ4_1(dst []float32, src []byte) {
	for ; len(src) >= 20; src, dst = src[20:], dst[32:] {
		d, m := halfAt(src, 0), halfAt(src, 2)
		for j, q := range src[4:20] {
			dst[j] = float32(float32(q&0xf)*d) + m
			dst[j+16] = float32(float32(q>>4)*d) + m
		}
	}
}

// dequantQ5_0: block_q5_0 {half d; uint8 qh[4]; uint8 qs[16]}: nibbles as
// Q4_0, bit j of qh is element j's fifth bit, x = d*(q-16).
func dequantQ5_0(dst []float32, src []byte) {
	for ; len(src) >= 22; src, dst = src[22:], dst[32:] {
		d := halfAt(src, 0)
		qh := binary.LittleEndian.Uint32(src[2:])
		for j, q := range src[6:22] {
			h0 := byte(qh>>j) & 1 << 4
			h1 := byte(qh>>(j+16)) & 1 << 4
			dst[j] = float32(int(q&0xf|h0)-16) * d
			dst[j+16] = float32(int(q>>4|h1)-16) * d
		}
	}
}

// dequantQ5_1: block_q5_1 {half d, m; uint8 qh[4]; uint8 qs[16]}, bits as
// Q5_0, x = d*q + m.
func dequantQ5_1(dst []float32, src []byte) {
	for ; len(src) >= 24; src, dst = src[24:], dst[32:] {
		d, m := halfAt(src, 0), halfAt(src, 2)
		qh := binary.LittleEndian.Uint32(src[4:])
		for j, q := range src[8:24] {
			h0 := byte(qh>>j) & 1 << 4
			h1 := byte(qh>>(j+16)) & 1 << 4
			dst[j] = float32(float32(q&0xf|h0)*d) + m
			dst[j+16] = float32(float32(q>>4|h1)*d) + m
		}
	}
}

// scaleMinK4 unpacks the 6-bit scale and min of sub-block j (0..7) from the
// 12 scale bytes of Q4_K and Q5_K (ggml's get_scale_min_k4): sub-blocks 0-3
// keep them in the low 6 bits of bytes j and j+4; sub-blocks 4-7 keep their
// low 4 bits in the nibbles of byte j+4 and their top 2 bits in the spare
// top bits of bytes j-4 and j.
func scaleMinK4(j int, s []byte) (sc, m byte) {
	if j < 4 {
		return s[j] & 63, s[j+4] & 63
	}
	return s[j+4]&0xf | s[j-4]>>6<<4, s[j+4]>>4 | s[j]>>6<<4
}

// dequantQ4_K: block_q4_K {half d, dmin; uint8 scales[12]; uint8 qs[128]},
// 256 elements in 8 sub-blocks of 32 with their own 6-bit scale and min.
// Each 32 bytes of qs hold two sub-blocks: the low nibbles the first, the
// high nibbles the second. x = d*sc*q - dmin*m.
func dequantQ4_K(dst []float32, src []byte) {
	for ; len(src) >= 144; src, dst = src[144:], dst[256:] {
		d, dmin := halfAt(src, 0), halfAt(src, 2)
		scales, qs := src[4:16], src[16:144]
		for j := 0; j < 4; j++ {
			sc1, m1 := scaleMinK4(2*j, scales)
			sc2, m2 := scaleMinK4(2*j+1, scales)
			d1, dm1 := d*float32(sc1), dmin*float32(m1)
			d2, dm2 := d*float32(sc2), dmin*float32(m2)
			y := dst[64*j : 64*j+64]
			for l, q := range qs[32*j : 32*j+32] {
				y[l] = float32(d1*float32(q&0xf)) - dm1
				y[l+32] = float32(d2*float32(q>>4)) - dm2
			}
		}
	}
}

// dequantQ5_K: block_q5_K {half d, dmin; uint8 scales[12]; uint8 qh[32];
// uint8 qs[128]}: Q4_K plus a fifth bit per element, sub-block s taking bit
// s of qh[l].
func dequantQ5_K(dst []float32, src []byte) {
	for ; len(src) >= 176; src, dst = src[176:], dst[256:] {
		d, dmin := halfAt(src, 0), halfAt(src, 2)
		scales, qh, qs := src[4:16], src[16:48], src[48:176]
		for j := 0; j < 4; j++ {
			sc1, m1 := scaleMinK4(2*j, scales)
			sc2, m2 := scaleMinK4(2*j+1, scales)
			d1, dm1 := d*float32(sc1), dmin*float32(m1)
			d2, dm2 := d*float32(sc2), dmin*float32(m2)
			y := dst[64*j : 64*j+64]
			for l, q := range qs[32*j : 32*j+32] {
				h1 := qh[l] >> (2 * j) & 1 << 4
				h2 := qh[l] >> (2*j + 1) & 1 << 4
				y[l] = float32(d1*float32(q&0xf|h1)) - dm1
				y[l+32] = float32(d2*float32(q>>4|h2)) - dm2
			}
		}
	}
}

// dequantQ6_K: block_q6_K {uint8 ql[128]; uint8 qh[64]; int8 scales[16];
// half d}, 256 elements in 16 sub-blocks of 16 with an 8-bit scale. Each
// half of 128 elements uses 64 bytes of ql (low nibbles: elements 0-63,
// high nibbles: 64-127) and 32 of qh (2 bits per element, by quarter).
// x = d*sc*(q-32).
func dequantQ6_K(dst []float32, src []byte) {
	for ; len(src) >= 210; src, dst = src[210:], dst[256:] {
		d := halfAt(src, 208)
		for n := 0; n < 2; n++ {
			ql, qh := src[64*n:64*n+64], src[128+32*n:128+32*n+32]
			sc := src[192+8*n : 192+8*n+8]
			y := dst[128*n : 128*n+128]
			for l := 0; l < 32; l++ {
				is := l / 16
				q1 := int(ql[l]&0xf|qh[l]&3<<4) - 32
				q2 := int(ql[l+32]&0xf|qh[l]>>2&3<<4) - 32
				q3 := int(ql[l]>>4|qh[l]>>4&3<<4) - 32
				q4 := int(ql[l+32]>>4|qh[l]>>6&3<<4) - 32
				y[l] = d * float32(int8(sc[is])) * float32(q1)
				y[l+32] = d * float32(int8(sc[is+2])) * float32(q2)
				y[l+64] = d * float32(int8(sc[is+4])) * float32(q3)
				y[l+96] = d * float32(int8(sc[is+6])) * float32(q4)
			}
		}
	}
}

// convertParallel runs conv over blocks of blockSize values (typeSize
// bytes) split across the CPUs: a tensor can hold hundreds of millions of
// values, and one core converts only about a billion a second.
func convertParallel(conv func([]float32, []byte), dst []float32, src []byte, blockSize, typeSize int) {
	blocks := len(dst) / blockSize
	workers := min(runtime.GOMAXPROCS(0), len(dst)>>16) // at least 64Ki values each
	if workers <= 1 {
		conv(dst, src)
		return
	}
	per := (blocks + workers - 1) / workers
	var wg sync.WaitGroup
	for lo := 0; lo < blocks; lo += per {
		hi := min(lo+per, blocks)
		wg.Go(func() { conv(dst[lo*blockSize:hi*blockSize], src[lo*typeSize:hi*typeSize]) })
	}
	wg.Wait()
}
