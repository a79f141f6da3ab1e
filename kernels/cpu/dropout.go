package cpu

// #include "kernels.h"
import "C"

import "fmt"

// Dropout sets out = x·mask/(1-p), where element i's mask is 0 with
// probability p, drawn from a hash of (seed, i) (dropout.c): the same seed
// gives the same mask, so the backward pass applies Dropout with the
// forward's seed to the gradient. out may be x; 0 <= p < 1.
func Dropout(out, x []float32, p float32, seed uint64) {
	if !(p >= 0 && p < 1) {
		panic(fmt.Sprintf("cpu: dropout probability %g is outside [0, 1)", p))
	}
	need(len(x), out)
	chunks(len(x), func(i, j int) {
		C.dropout(fp(out[i:j]), fp(x[i:j]), C.float(p), C.uint64_t(seed), C.int64_t(i), C.int(j-i), threads())
	})
}
