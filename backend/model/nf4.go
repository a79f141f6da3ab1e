package model

import (
	"fmt"
	"math"
)

// NF4 quantisation as QLoRA and bitsandbytes do it (quant_type "nf4",
// blocksize 64, compress_statistics=True):
//
//   - The weight is read as one flat row-major vector and cut into blocks
//     of NF4Block (64) consecutive values; a block may straddle two rows.
//   - Each block is scaled by 1/absmax into [-1, 1] (float32: the
//     reciprocal first, then the product, as bitsandbytes' quantize_4bit)
//     and each value gets the nearest of the 16 NF4 codes, by comparing
//     with the float32 midpoints between neighbouring codes, a value on a
//     midpoint taking the lower code (torch.bucketize, right=False).
//   - Two codes share a byte, the first value in the high nibble.
//   - Double quantisation: the absmax values less their mean (offset) are
//     cut into blocks of NF4AbsmaxBlock (256) and each block is quantised to
//     8 bits with bitsandbytes' signed dynamic map (create_dynamic_map), the
//     value divided by the block's absmax (absmax2) and the nearest code
//     taken, ties to the lower index.
//
// Dequantisation is w = NF4Code[q] * (DynamicMap[qa]*absmax2 + offset),
// each operation rounded to float32, as bitsandbytes computes it.
//
// Two deliberate differences from bitsandbytes 0.50's CPU path, both
// exact definitions rather than approximations: offset is the float64
// mean rounded to float32 (torch's float32 mean may differ in the last
// bit), and the 8-bit step is the exact nearest code, as bitsandbytes'
// CUDA kernel computes it (its native CPU kernel lands one code off on
// about 0.3% of values, near midpoints).
const (
	NF4Block       = 64
	NF4AbsmaxBlock = 256
)

// NF4Code is bitsandbytes' NF4 code book (functional.get_4bit_type("nf4")),
// quantiles of a standard normal scaled to [-1, 1] with an exact zero.
var NF4Code = [16]float32{
	-1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
	-0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
	0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224,
	0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0,
}

// DynamicMap is bitsandbytes' signed 8-bit dynamic map
// (functional.create_dynamic_map(signed=True), sorted), as float32 bits:
// computing it again in Go would risk the last bit of its float32 linspace.
var DynamicMap = func() (m [256]float32) {
	for i, b := range dynamicMapBits {
		m[i] = math.Float32frombits(b)
	}
	return m
}()

var dynamicMapBits = [256]uint32{
	0xbf7e3333, 0xbf7a999a, 0xbf770000, 0xbf736666, 0xbf6fcccd, 0xbf6c3333, 0xbf68999a, 0xbf650000,
	0xbf616666, 0xbf5dcccd, 0xbf5a3333, 0xbf56999a, 0xbf530000, 0xbf4f6666, 0xbf4bcccd, 0xbf483333,
	0xbf44999a, 0xbf410000, 0xbf3d6666, 0xbf39cccd, 0xbf363334, 0xbf32999a, 0xbf2f0000, 0xbf2b6666,
	0xbf27cccd, 0xbf243334, 0xbf20999a, 0xbf1d0000, 0xbf196666, 0xbf15cccd, 0xbf123334, 0xbf0e999a,
	0xbf0b0000, 0xbf076666, 0xbf03cccc, 0xbf003333, 0xbef93332, 0xbef20000, 0xbeeacccc, 0xbee3999a,
	0xbedc6666, 0xbed53333, 0xbece0000, 0xbec6cccc, 0xbebf999a, 0xbeb86666, 0xbeb13333, 0xbeaa0000,
	0xbea2cccc, 0xbe9b999a, 0xbe946666, 0xbe8d3334, 0xbe860000, 0xbe7d9999, 0xbe6f3333, 0xbe60cccd,
	0xbe526666, 0xbe440000, 0xbe35999a, 0xbe273333, 0xbe18cccd, 0xbe0a6666, 0xbdf80000, 0xbddb3334,
	0xbdc9eb85, 0xbdc428f7, 0xbdbe6667, 0xbdb8a3d7, 0xbdb2e148, 0xbdad1eb8, 0xbda75c2a, 0xbda1999a,
	0xbd9bd70a, 0xbd96147b, 0xbd9051eb, 0xbd8a8f5d, 0xbd84cccd, 0xbd7e147b, 0xbd728f5d, 0xbd670a3d,
	0xbd5b851f, 0xbd500000, 0xbd447ae1, 0xbd38f5c3, 0xbd2d70a3, 0xbd21eb85, 0xbd166667, 0xbd0ae148,
	0xbcfeb852, 0xbce7ae15, 0xbcd0a3d7, 0xbcb9999a, 0xbca28f5d, 0xbc8b851f, 0xbc68f5c3, 0xbc3ae148,
	0xbc1f3b64, 0xbc160418, 0xbc0ccccd, 0xbc039581, 0xbbf4bc6a, 0xbbe24dd3, 0xbbcfdf3b, 0xbbbd70a4,
	0xbbab020d, 0xbb989374, 0xbb8624dd, 0xbb676c8a, 0xbb428f5c, 0xbb1db22d, 0xbaf1a9fc, 0xbaa7ef9d,
	0xba7765ff, 0xba59e83e, 0xba3c6a80, 0xba1eecc1, 0xba016f01, 0xb9c7e283, 0xb98ce705, 0xb923d70b,
	0xb8ba1f4b, 0xb88aefb3, 0xb8378034, 0xb7b24206, 0xb70205ff, 0xb65a1a94, 0xb513a3b7, 0x00000000,
	0x3513a3b7, 0x365a1a94, 0x370205ff, 0x37b24206, 0x38378034, 0x388aefb3, 0x38ba1f4b, 0x3923d70b,
	0x398ce705, 0x39c7e283, 0x3a016f01, 0x3a1eecc1, 0x3a3c6a80, 0x3a59e83e, 0x3a7765ff, 0x3aa7ef9d,
	0x3af1a9fc, 0x3b1db22d, 0x3b428f5c, 0x3b676c8a, 0x3b8624dd, 0x3b989374, 0x3bab020d, 0x3bbd70a4,
	0x3bcfdf3b, 0x3be24dd3, 0x3bf4bc6a, 0x3c039581, 0x3c0ccccd, 0x3c160418, 0x3c1f3b64, 0x3c3ae148,
	0x3c68f5c3, 0x3c8b851f, 0x3ca28f5d, 0x3cb9999a, 0x3cd0a3d7, 0x3ce7ae15, 0x3cfeb852, 0x3d0ae148,
	0x3d166667, 0x3d21eb85, 0x3d2d70a3, 0x3d38f5c3, 0x3d447ae1, 0x3d500000, 0x3d5b851f, 0x3d670a3d,
	0x3d728f5d, 0x3d7e147b, 0x3d84cccd, 0x3d8a8f5d, 0x3d9051eb, 0x3d96147b, 0x3d9bd70a, 0x3da1999a,
	0x3da75c2a, 0x3dad1eb8, 0x3db2e148, 0x3db8a3d7, 0x3dbe6667, 0x3dc428f7, 0x3dc9eb85, 0x3ddb3334,
	0x3df80000, 0x3e0a6666, 0x3e18cccd, 0x3e273333, 0x3e35999a, 0x3e440000, 0x3e526666, 0x3e60cccd,
	0x3e6f3333, 0x3e7d9999, 0x3e860000, 0x3e8d3334, 0x3e946666, 0x3e9b999a, 0x3ea2cccc, 0x3eaa0000,
	0x3eb13333, 0x3eb86666, 0x3ebf999a, 0x3ec6cccc, 0x3ece0000, 0x3ed53333, 0x3edc6666, 0x3ee3999a,
	0x3eeacccc, 0x3ef20000, 0x3ef93332, 0x3f003333, 0x3f03cccc, 0x3f076666, 0x3f0b0000, 0x3f0e999a,
	0x3f123334, 0x3f15cccd, 0x3f196666, 0x3f1d0000, 0x3f20999a, 0x3f243334, 0x3f27cccd, 0x3f2b6666,
	0x3f2f0000, 0x3f32999a, 0x3f363334, 0x3f39cccd, 0x3f3d6666, 0x3f410000, 0x3f44999a, 0x3f483333,
	0x3f4bcccd, 0x3f4f6666, 0x3f530000, 0x3f56999a, 0x3f5a3333, 0x3f5dcccd, 0x3f616666, 0x3f650000,
	0x3f68999a, 0x3f6c3333, 0x3f6fcccd, 0x3f736666, 0x3f770000, 0x3f7a999a, 0x3f7e3333, 0x3f800000,
}

// NF4 is a weight [Rows, Cols] quantised to NF4 with double-quantised absmax.
type NF4 struct {
	Rows, Cols int
	Packed     []byte    // two 4-bit codes a byte, first in the high nibble: ceil(n/2)
	QAbsmax    []uint8   // each 64-block's absmax - Offset, as a DynamicMap index: ceil(n/64)
	Absmax2    []float32 // scale of each 256-block of QAbsmax
	Offset     float32   // mean of the absmax values
}

// Bytes is the quantised weight's size in memory.
func (q *NF4) Bytes() int { return len(q.Packed) + len(q.QAbsmax) + 4*len(q.Absmax2) + 4 }

// nf4Mid are the float32 midpoints between neighbouring NF4 codes.
var nf4Mid = func() (m [15]float32) {
	for i := range m {
		m[i] = (NF4Code[i] + NF4Code[i+1]) / 2
	}
	return m
}()

// QuantizeNF4 quantises w [rows, cols] (row-major).
func QuantizeNF4(w []float32, rows, cols int) (*NF4, error) {
	n := rows * cols
	if rows <= 0 || cols <= 0 || len(w) != n {
		return nil, fmt.Errorf("nf4: %d values are not %d x %d", len(w), rows, cols)
	}
	nb := (n + NF4Block - 1) / NF4Block
	q := &NF4{Rows: rows, Cols: cols, Packed: make([]byte, (n+1)/2)}
	absmax := make([]float32, nb)
	for b := range nb {
		blk := w[b*NF4Block : min(n, (b+1)*NF4Block)]
		var am float32
		for _, x := range blk {
			am = max(am, float32(math.Abs(float64(x))))
		}
		absmax[b] = am
		// bitsandbytes clamps the divisor at 1e-38 so that a zero block
		// scales to zeros, not NaN; a short last block is divided, not
		// multiplied by the reciprocal.
		am = max(am, float32(1e-38))
		r := 1 / am
		for j, x := range blk {
			s := x * r
			if len(blk) < NF4Block {
				s = x / am
			}
			s = min(max(s, -1), 1)
			c := byte(0)
			for c < 15 && s > nf4Mid[c] {
				c++
			}
			i := b*NF4Block + j
			if i%2 == 0 {
				q.Packed[i/2] |= c << 4
			} else {
				q.Packed[i/2] |= c
			}
		}
	}
	if n%2 == 1 {
		q.Packed[n/2] |= 7 // bitsandbytes pads with a 0.0, whose code is 7
	}
	q.Offset, q.QAbsmax, q.Absmax2 = quantizeAbsmax(absmax)
	return q, nil
}

// quantizeAbsmax is the double quantisation: mean offset, then 8-bit
// blockwise with the dynamic map.
func quantizeAbsmax(absmax []float32) (offset float32, qa []uint8, absmax2 []float32) {
	sum := 0.0
	for _, a := range absmax {
		sum += float64(a)
	}
	offset = float32(sum / float64(len(absmax)))
	qa = make([]uint8, len(absmax))
	for b := 0; b < len(absmax); b += NF4AbsmaxBlock {
		blk := absmax[b:min(len(absmax), b+NF4AbsmaxBlock)]
		var am float32
		for _, a := range blk {
			am = max(am, float32(math.Abs(float64(a-offset))))
		}
		absmax2 = append(absmax2, am)
		for j, a := range blk {
			v := float32(0)
			if am > 0 {
				v = (a - offset) / am
			}
			qa[b+j] = nearest8(v)
		}
	}
	return offset, qa, absmax2
}

// nearest8 is the index of the DynamicMap code nearest v, ties to the lower.
func nearest8(v float32) uint8 {
	lo, hi := 0, 255 // DynamicMap is sorted: find the last code <= v
	if v <= DynamicMap[0] {
		return 0
	}
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if DynamicMap[mid] <= v {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	if lo < 255 && abs32(DynamicMap[lo+1]-v) < abs32(v-DynamicMap[lo]) {
		lo++
	}
	return uint8(lo)
}

func abs32(x float32) float32 { return float32(math.Abs(float64(x))) }

// BlockAbsmax is the dequantised absmax of 64-block b.
func (q *NF4) BlockAbsmax(b int) float32 {
	// The conversion rounds the product: a fused multiply-add would not.
	a := float32(DynamicMap[q.QAbsmax[b]] * q.Absmax2[b/NF4AbsmaxBlock])
	return a + q.Offset
}

// Code is the 4-bit code of flat element i.
func (q *NF4) Code(i int) byte {
	if i%2 == 0 {
		return q.Packed[i/2] >> 4
	}
	return q.Packed[i/2] & 15
}

// Dequantize returns the f32 weight [Rows, Cols], as bitsandbytes'
// dequantize_4bit would.
func (q *NF4) Dequantize() []float32 {
	n := q.Rows * q.Cols
	out := make([]float32, n)
	for b := 0; b*NF4Block < n; b++ {
		am := q.BlockAbsmax(b)
		for i := b * NF4Block; i < min(n, (b+1)*NF4Block); i++ {
			out[i] = NF4Code[q.Code(i)] * am
		}
	}
	return out
}
