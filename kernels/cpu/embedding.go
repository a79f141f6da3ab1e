package cpu

// #include "kernels.h"
import "C"

// EmbeddingForward copies row tokens[n] of table [V,C] to row n of out [N,C].
func EmbeddingForward(out, table []float32, tokens []int32, c int) {
	need(len(tokens)*c, out)
	inRange("token", tokens, len(table)/c)
	C.embedding_forward(fp(out), fp(table), ip(tokens), C.int(len(tokens)), C.int(c))
}

// EmbeddingBackward adds row n of dout into row tokens[n] of dtable.
func EmbeddingBackward(dtable, dout []float32, tokens []int32, c int) {
	need(len(tokens)*c, dout)
	inRange("token", tokens, len(dtable)/c)
	C.embedding_backward(fp(dtable), fp(dout), ip(tokens), C.int(len(tokens)), C.int(c))
}
