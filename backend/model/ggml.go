package model

// ggmlType is a tensor type of ggml, the storage types of GGUF.
type ggmlType struct {
	name      string
	blockSize int // elements per block
	typeSize  int // bytes per block
	// dequant converts whole blocks to float32; nil where Hone cannot.
	dequant func(dst []float32, src []byte)
}

// ggmlTypeOf looks up a ggml type by its number in ggml.h. Types Hone
// cannot dequantise are still known by size, so files holding them can be
// listed and their other tensors read.
func ggmlTypeOf(t uint32) (ggmlType, bool) {
	switch t {
	case 0:
		return ggmlType{"F32", 1, 4, convertF32}, true
	case 1:
		return ggmlType{"F16", 1, 2, convertF16}, true
	case 2:
		return ggmlType{"Q4_0", 32, 18, dequantQ4_0}, true
	case 3:
		return ggmlType{"Q4_1", 32, 20, dequantQ4_1}, true
	case 6:
		return ggmlType{"Q5_0", 32, 22, dequantQ5_0}, true
	case 7:
		return ggmlType{"Q5_1", 32, 24, dequantQ5_1}, true
	case 8:
		return ggmlType{"Q8_0", 32, 34, dequantQ8_0}, true
	case 9:
		return ggmlType{"Q8_1", 32, 36, nil}, true
	case 10:
		return ggmlType{"Q2_K", 256, 84, nil}, true
	case 11:
		return ggmlType{"Q3_K", 256, 110, nil}, true
	case 12:
		return ggmlType{"Q4_K", 256, 144, dequantQ4_K}, true
	case 13:
		return ggmlType{"Q5_K", 256, 176, dequantQ5_K}, true
	case 14:
		return ggmlType{"Q6_K", 256, 210, dequantQ6_K}, true
	case 15:
		return ggmlType{"Q8_K", 256, 292, nil}, true
	case 16:
		return ggmlType{"IQ2_XXS", 256, 66, nil}, true
	case 17:
		return ggmlType{"IQ2_XS", 256, 74, nil}, true
	case 18:
		return ggmlType{"IQ3_XXS", 256, 98, nil}, true
	case 19:
		return ggmlType{"IQ1_S", 256, 50, nil}, true
	case 20:
		return ggmlType{"IQ4_NL", 32, 18, nil}, true
	case 21:
		return ggmlType{"IQ3_S", 256, 110, nil}, true
	case 22:
		return ggmlType{"IQ2_S", 256, 82, nil}, true
	case 23:
		return ggmlType{"IQ4_XS", 256, 136, nil}, true
	case 24:
		return ggmlType{"I8", 1, 1, nil}, true
	case 25:
		return ggmlType{"I16", 1, 2, nil}, true
	case 26:
		return ggmlType{"I32", 1, 4, nil}, true
	case 27:
		return ggmlType{"I64", 1, 8, nil}, true
	case 28:
		return ggmlType{"F64", 1, 8, nil}, true
	case 29:
		return ggmlType{"IQ1_M", 256, 56, nil}, true
	case 30:
		return ggmlType{"BF16", 1, 2, convertBF16}, true
	case 34:
		return ggmlType{"TQ1_0", 256, 54, nil}, true
	case 35:
		return ggmlType{"TQ2_0", 256, 66, nil}, true
	case 39:
		return ggmlType{"MXFP4", 32, 17, nil}, true
	}
	return ggmlType{}, false
}

// ggufFileType names general.file_type values (llama_ftype in llama.h),
// the quantisation mix a file was made with.
func ggufFileType(ft int64) string {
	names := map[int64]string{
		0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 4: "Q4_1_SOME_F16", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1",
		10: "Q2_K", 11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M",
		16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS", 21: "Q2_K_S",
		22: "IQ3_XS", 23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL", 26: "IQ3_S", 27: "IQ3_M",
		28: "IQ2_S", 29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M", 32: "BF16", 36: "TQ1_0", 37: "TQ2_0",
		38: "MXFP4_MOE",
	}
	return names[ft]
}
