package cpu

// #include "kernels.h"
import "C"

// CrossEntropy sets losses[n] = -log softmax(logits[n])[targets[n]] for
// logits [N,V], and unless dlogits is nil, dlogits = dloss * d loss/d logits
// (overwritten, not added; it may be logits itself). A negative target masks
// its row: loss and gradient 0. Call it a chunk of rows at a time.
func CrossEntropy(losses, dlogits, logits []float32, targets []int32, v int, dloss float32) {
	n := len(targets)
	need(n, losses)
	need(n*v, logits)
	optional(n*v, dlogits)
	for _, y := range targets {
		if int(y) >= v {
			panic("cpu: cross-entropy target out of range")
		}
	}
	C.crossentropy(fp(losses), fp(dlogits), fp(logits), ip(targets), C.int(n), C.int(v), C.float(dloss), threads())
}
