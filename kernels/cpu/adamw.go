package cpu

// #include "kernels.h"
import "C"

// AdamWConfig holds AdamW's hyper-parameters, as torch.optim.AdamW names them.
type AdamWConfig struct{ LR, Beta1, Beta2, Eps, WeightDecay float32 }

// AdamW applies step (counting from 1) of AdamW to params in place, updating
// the moment estimates m and v. It takes one flat buffer of all parameters
// as well as one tensor's, however long.
func AdamW(params, grads, m, v []float32, step int, h AdamWConfig) {
	adamWPath(params, grads, m, v, step, h, mmBest)
}

// adamWPath runs the given code path, for tests.
func adamWPath(params, grads, m, v []float32, step int, h AdamWConfig, path int) {
	need(len(params), grads, m, v)
	chunks(len(params), func(i, j int) {
		C.adamw(fp(params[i:j]), fp(grads[i:j]), fp(m[i:j]), fp(v[i:j]), C.int(j-i), C.float(h.LR), C.float(h.Beta1),
			C.float(h.Beta2), C.float(h.Eps), C.float(h.WeightDecay), C.int(step), threads(), C.int(path))
	})
}

// chunk is the most elements one kernel call takes: the kernels count in C
// ints, and a flat buffer of all parameters may exceed one.
const chunk = 1 << 30

// chunks calls f on [i, j) spans of [0, n) of at most chunk elements.
func chunks(n int, f func(i, j int)) {
	for i := 0; i < n; i += chunk {
		f(i, min(i+chunk, n))
	}
}
