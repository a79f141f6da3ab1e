// Package cpu holds Hone's CPU compute kernels: C in the style of llm.c, one
// file per op family with forward and backward, called through cgo. The
// kernels split work over OS threads (up to GOMAXPROCS) and the matmul uses
// AVX2/FMA where the CPU has it, chosen at run time, so one binary serves
// every x86-64 CPU.
//
// Slices are row-major float32. Forward kernels overwrite their outputs;
// backward kernels add into their gradient slices, which the caller zeroes.
// Sizes are checked before any C runs: a mismatch panics, as an index out of
// range would.
package cpu

/*
#cgo CFLAGS: -O3 -std=gnu11 -Wall
#cgo LDFLAGS: -lm -lpthread
#include "kernels.h"
*/
import "C"

import (
	"fmt"
	"runtime"
	"unsafe"
)

// avx2 is fixed at start-up: the CPU's features do not change.
var avx2 = C.cpu_has_avx2() != 0

// AVX2 reports whether the matmul runs its AVX2/FMA path on this CPU.
func AVX2() bool { return avx2 }

func threads() C.int { return C.int(runtime.GOMAXPROCS(0)) }

// fp is a slice's data for C; nil for a nil slice, which optional outputs allow.
func fp(s []float32) *C.float { return (*C.float)(unsafe.SliceData(s)) }

// cbool is a flag for C.
func cbool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

func ip(s []int32) *C.int32_t { return (*C.int32_t)(unsafe.SliceData(s)) }

// need panics unless every slice has n elements.
func need(n int, slices ...[]float32) {
	for i, s := range slices {
		if len(s) != n {
			panic(fmt.Sprintf("cpu: argument %d has %d elements, want %d", i+1, len(s), n))
		}
	}
}

// optional is need for a slice that may be nil.
func optional(n int, s []float32) {
	if s != nil {
		need(n, s)
	}
}

func inRange(name string, ids []int32, n int) {
	for _, id := range ids {
		if id < 0 || int(id) >= n {
			panic(fmt.Sprintf("cpu: %s %d out of range [0,%d)", name, id, n))
		}
	}
}
