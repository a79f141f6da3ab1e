package cpu

// #include "kernels.h"
import "C"

// AdamWConfig holds AdamW's hyper-parameters, as torch.optim.AdamW names them.
type AdamWConfig struct{ LR, Beta1, Beta2, Eps, WeightDecay float32 }

// AdamW applies step (counting from 1) of AdamW to params in place, updating
// the moment estimates m and v.
func AdamW(params, grads, m, v []float32, step int, h AdamWConfig) {
	need(len(params), grads, m, v)
	const chunk = 1 << 30 // the kernel counts in C ints; a flat buffer of all parameters may exceed one
	for i := 0; i < len(params); i += chunk {
		j := min(i+chunk, len(params))
		C.adamw(fp(params[i:j]), fp(grads[i:j]), fp(m[i:j]), fp(v[i:j]), C.int(j-i), C.float(h.LR), C.float(h.Beta1),
			C.float(h.Beta2), C.float(h.Eps), C.float(h.WeightDecay), C.int(step), threads())
	}
}
