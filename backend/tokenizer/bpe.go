package tokenizer

// bpe merges the symbols of one pre-token by priority: the pair with the
// lowest rank merges first, the leftmost on ties. Hugging Face merges lists
// give ranks directly; SentencePiece scores become ranks by sorting (a
// higher score is a lower rank), which is the same order SentencePiece's own
// BPE uses.
type bpe struct {
	merges map[uint64]merge // pairKey(left, right) -> merge
	// byteFallback: a symbol with no id becomes the ids of its bytes, from
	// byteIDs (SentencePiece's <0xXX> pieces); else it becomes unk.
	byteFallback bool
	byteIDs      [256]int32
	unk          int32 // -1 when there is none: unknown symbols are dropped
	fuseUnk      bool  // consecutive unknowns become one unk
}

type merge struct {
	rank int32
	id   int32 // the merged symbol
}

func pairKey(left, right int32) uint64 { return uint64(uint32(left))<<32 | uint64(uint32(right)) }

func newBPE() *bpe {
	b := &bpe{merges: make(map[uint64]merge), unk: -1}
	for i := range b.byteIDs {
		b.byteIDs[i] = -1
	}
	return b
}

// addMerge records that left and right merge into id with the given rank.
// An earlier (lower-ranked) entry for the same pair wins.
func (b *bpe) addMerge(left, right, id, rank int32) {
	k := pairKey(left, right)
	if _, ok := b.merges[k]; !ok {
		b.merges[k] = merge{rank: rank, id: id}
	}
}

// symbol is one node of the doubly linked list a word is merged in.
type symbol struct {
	id         int32 // -1: not in the vocabulary
	prev, next int32 // -1 at the ends
	start, end int32 // byte range in the word, for byte fallback
}

// candidate is a possible merge of symbols[left] with the symbol after it;
// it is stale when either side has changed since it was queued.
type candidate struct {
	rank, left, leftID, rightID, id int32
}

// agenda is a binary min-heap of candidates by (rank, left), typed to keep
// pushes free of allocations.
type agenda []candidate

func (a agenda) less(i, j int) bool {
	if a[i].rank != a[j].rank {
		return a[i].rank < a[j].rank
	}
	return a[i].left < a[j].left
}

func (a *agenda) push(c candidate) {
	*a = append(*a, c)
	h := *a
	for i := len(h) - 1; i > 0; {
		p := (i - 1) / 2
		if !h.less(i, p) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

func (a *agenda) pop() candidate {
	h := *a
	top := h[0]
	n := len(h) - 1
	h[0] = h[n]
	h = h[:n]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < n && h.less(l, m) {
			m = l
		}
		if r < n && h.less(r, m) {
			m = r
		}
		if m == i {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	*a = h
	return top
}

// scratch holds the buffers one Encode call reuses across words.
type scratch struct {
	syms  []symbol
	queue agenda
}

// encode merges the initial symbols in s.syms (already filled, linked in
// order) and appends the resulting ids to out. word is the text the symbol
// ranges point into.
func (b *bpe) encode(s *scratch, word string, out []int) []int {
	syms := s.syms
	if len(syms) > 1 {
		s.queue = s.queue[:0]
		for i := 0; i+1 < len(syms); i++ {
			b.push(s, int32(i))
		}
		for len(s.queue) > 0 {
			c := s.queue.pop()
			l := &syms[c.left]
			if l.id != c.leftID || l.next < 0 || syms[l.next].id != c.rightID {
				continue // stale
			}
			r := &syms[l.next]
			l.id = c.id
			l.end = r.end
			l.next = r.next
			if r.next >= 0 {
				syms[r.next].prev = c.left
			}
			r.id = -2 // removed
			if l.prev >= 0 {
				b.push(s, l.prev)
			}
			if l.next >= 0 {
				b.push(s, c.left)
			}
		}
	}
	unkRun := false
	for i := int32(0); len(syms) > 0 && i >= 0; i = syms[i].next {
		sym := syms[i]
		if sym.id >= 0 {
			out = append(out, int(sym.id))
			unkRun = false
			continue
		}
		if b.byteFallback && b.bytesKnown(word[sym.start:sym.end]) {
			for j := sym.start; j < sym.end; j++ {
				out = append(out, int(b.byteIDs[word[j]]))
			}
			unkRun = false
			continue
		}
		if b.unk >= 0 && !(b.fuseUnk && unkRun) {
			out = append(out, int(b.unk))
		}
		unkRun = true
	}
	return out
}

func (b *bpe) bytesKnown(s string) bool {
	for i := 0; i < len(s); i++ {
		if b.byteIDs[s[i]] < 0 {
			return false
		}
	}
	return true
}

// push queues the merge of symbols[left] with its successor, if there is one.
func (b *bpe) push(s *scratch, left int32) {
	if c, ok := b.candidate(s.syms, left); ok {
		s.queue.push(c)
	}
}

func (b *bpe) candidate(syms []symbol, left int32) (candidate, bool) {
	l := syms[left]
	if l.id < 0 || l.next < 0 {
		return candidate{}, false
	}
	r := syms[l.next].id
	if r < 0 {
		return candidate{}, false
	}
	m, ok := b.merges[pairKey(l.id, r)]
	if !ok {
		return candidate{}, false
	}
	return candidate{rank: m.rank, left: left, leftID: l.id, rightID: r, id: m.id}, true
}
