package data

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
)

// Digest identifies a list of sequences: their examples, tokens and loss
// masks, in order. A cursor only means the same batches over the same
// sequences, so a checkpoint keeps the digest with its cursor and a resumed
// run compares it with its own (a changed dataset, tokenizer, template,
// Options or Options.Now changes it).
func Digest(seqs []Sequence) string {
	h := sha256.New()
	var buf []byte
	for _, s := range seqs {
		buf = binary.LittleEndian.AppendUint64(buf[:0], uint64(s.Example))
		buf = binary.LittleEndian.AppendUint32(buf, uint32(len(s.Tokens)))
		for i, tok := range s.Tokens {
			v := uint32(tok) << 1
			if s.Loss[i] {
				v |= 1
			}
			buf = binary.LittleEndian.AppendUint32(buf, v)
		}
		h.Write(buf)
	}
	return hex.EncodeToString(h.Sum(nil))
}
