package data

import (
	"fmt"

	"github.com/hone-ai/hone/backend/engine"
)

// Ignore is the target of a position that predicts nothing (PyTorch's
// ignore index; the engine ignores any negative target).
const Ignore = -100

// PackOptions shape the micro-batches.
type PackOptions struct {
	B, T int    // rows per batch, tokens per row (every sequence must fit a row)
	Seed uint64 // the seed of each epoch's Order
	Pad  int32  // the token that fills a row's tail: any id of the vocabulary, never a target
}

// Cursor is where packing stands: the next batch starts with sequence
// Order(n, Seed, Epoch)[Next]. Checkpoint it after a batch; Seek to it to
// get the same batches again.
type Cursor struct {
	Epoch int `json:"epoch"`
	Next  int `json:"next"`
}

// BatchInfo describes a batch, for the metrics.
type BatchInfo struct {
	Epoch     int     `json:"epoch"`     // the epoch its sequences belong to
	Sequences int     `json:"sequences"` // packed into it
	Tokens    int     `json:"tokens"`    // real tokens
	Targets   int     `json:"targets"`   // target tokens: what the engine's mean loss divides by
	Padding   int     `json:"padding"`   // pad tokens
	PadShare  float64 `json:"padShare"`  // Padding / (B*T): 1 - packing efficiency
	EpochEnd  bool    `json:"epochEnd"`  // the last batch of its epoch
	Examples  []int64 `json:"-"`         // the examples' ids, in packing order
}

// Packer packs sequences, epoch after epoch, into micro-batches of B rows
// of T tokens. Each epoch visits every sequence once, in Order: whole
// sequences go into rows one after the other, and when the next one does
// not fit the row is closed (next-fit: the order is kept and nothing is
// split). The last batch of an epoch has empty rows where the sequences ran
// out (all padding, no target); an epoch never shares a batch with the
// next. A Packer is not safe for concurrent use.
type Packer struct {
	seqs  []Sequence
	o     PackOptions
	cur   Cursor
	order []int // Order of cur.Epoch
	epoch int   // the epoch order belongs to
}

// NewPacker checks that every sequence fits a row and has a target, and
// starts at epoch 0.
func NewPacker(seqs []Sequence, o PackOptions) (*Packer, error) {
	if o.B < 1 || o.T < 2 {
		return nil, fmt.Errorf("packer: %d rows of %d tokens: want at least 1 row of 2", o.B, o.T)
	}
	if len(seqs) == 0 {
		return nil, fmt.Errorf("packer: no sequence to pack")
	}
	for i, s := range seqs {
		switch {
		case len(s.Tokens) > o.T:
			return nil, fmt.Errorf("packer: sequence %d (example %d) has %d tokens, more than a row's %d: encode with SeqLen at most %d", i, s.Example, len(s.Tokens), o.T, o.T)
		case len(s.Loss) != len(s.Tokens):
			return nil, fmt.Errorf("packer: sequence %d (example %d) has %d tokens and %d loss flags", i, s.Example, len(s.Tokens), len(s.Loss))
		case s.Targets() == 0:
			return nil, fmt.Errorf("packer: sequence %d (example %d) has no target", i, s.Example)
		}
	}
	p := &Packer{seqs: seqs, o: o}
	p.order, p.epoch = Order(len(seqs), o.Seed, 0), 0
	return p, nil
}

// Cursor returns where the next batch starts.
func (p *Packer) Cursor() Cursor { return p.cur }

// Seek makes the next batch start at c, as Cursor returned it.
func (p *Packer) Seek(c Cursor) error {
	if c.Epoch < 0 || c.Next < 0 || c.Next > len(p.seqs) {
		return fmt.Errorf("packer: cursor %+v out of range for %d sequences", c, len(p.seqs))
	}
	if c.Next == len(p.seqs) {
		c = Cursor{Epoch: c.Epoch + 1}
	}
	p.cur = c
	return nil
}

// EpochBatches is the number of batches of an epoch, which depends on its
// order: for the learning-rate schedule's step count.
func (p *Packer) EpochBatches(epoch int) int {
	order := Order(len(p.seqs), p.o.Seed, epoch)
	batches := 0
	for next := 0; next < len(order); batches++ {
		for r := 0; r < p.o.B; r++ {
			next = p.rowEnd(order, next)
		}
	}
	return batches
}

// rowEnd is where the row that starts with order[next] ends: the sequences
// order[next:end] fit T tokens and order[end] does not.
func (p *Packer) rowEnd(order []int, next int) int {
	used := 0
	for next < len(order) && used+len(p.seqs[order[next]].Tokens) <= p.o.T {
		used += len(p.seqs[order[next]].Tokens)
		next++
	}
	return next
}

// Next packs the batch at the cursor and moves the cursor past it, into
// the next epoch after an epoch's last batch.
func (p *Packer) Next() (engine.Batch, BatchInfo) {
	if p.epoch != p.cur.Epoch {
		p.order, p.epoch = Order(len(p.seqs), p.o.Seed, p.cur.Epoch), p.cur.Epoch
	}
	B, T := p.o.B, p.o.T
	b := engine.Batch{B: B, T: T, Tokens: make([]int32, B*T), Targets: make([]int32, B*T),
		Positions: make([]int32, B*T), Starts: make([]int32, B*T)}
	info := BatchInfo{Epoch: p.cur.Epoch}
	for r := range B {
		end, used := p.rowEnd(p.order, p.cur.Next), 0
		for _, k := range p.order[p.cur.Next:end] {
			s := p.seqs[k]
			info.Targets += place(b, r*T+used, s)
			info.Examples = append(info.Examples, s.Example)
			used += len(s.Tokens)
		}
		info.Sequences += end - p.cur.Next
		p.cur.Next = end
		pad(b, r*T+used, T-used, p.o.Pad)
		info.Tokens += used
		info.Padding += T - used
	}
	info.PadShare = float64(info.Padding) / float64(B*T)
	if p.cur.Next == len(p.order) {
		info.EpochEnd = true
		p.cur = Cursor{Epoch: p.cur.Epoch + 1}
	}
	return b, info
}

// place writes sequence s at flat index at of the batch and returns its
// number of targets: token j predicts token j+1 when that is a target of
// the same sequence; its last token predicts nothing.
func place(b engine.Batch, at int, s Sequence) int {
	targets := 0
	for j, tok := range s.Tokens {
		b.Tokens[at+j] = tok
		b.Positions[at+j] = int32(j)
		b.Starts[at+j] = int32(at % b.T)
		b.Targets[at+j] = Ignore
		if j+1 < len(s.Tokens) && s.Loss[j+1] {
			b.Targets[at+j] = s.Tokens[j+1]
			targets++
		}
	}
	return targets
}

// pad fills n positions from flat index at with the pad token: an example
// of its own (attending only to itself), never a target.
func pad(b engine.Batch, at, n int, tok int32) {
	for j := range n {
		b.Tokens[at+j] = tok
		b.Positions[at+j] = int32(j)
		b.Starts[at+j] = int32(at % b.T)
		b.Targets[at+j] = Ignore
	}
}
