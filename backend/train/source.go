package train

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hone-ai/hone/backend/engine"
	"github.com/hone-ai/hone/backend/train/data"
)

// DataStats are what the data looked like to the run: the encoder's
// counts, for the training and the evaluation examples.
type DataStats struct {
	data.Stats
	Eval            *data.Stats `json:"eval,omitempty"`
	BatchesPerEpoch int         `json:"batchesPerEpoch"`
}

// source is the run's micro-batches, epoch after epoch, resumable from a
// cursor.
type source struct {
	p    *data.Packer
	n    int // sequences an epoch
	last data.BatchInfo
}

func (s *source) next() engine.Batch {
	b, info := s.p.Next()
	s.last = info
	return b
}

func (s *source) cursor() json.RawMessage {
	raw, _ := json.Marshal(s.p.Cursor())
	return raw
}

func (s *source) seek(raw json.RawMessage) error {
	var c data.Cursor
	if err := json.Unmarshal(raw, &c); err != nil {
		return fmt.Errorf("checkpoint cursor: %w", err)
	}
	return s.p.Seek(c)
}

// epoch is where the run stands in epochs: whole ones done, plus the
// share of the current one.
func (s *source) epoch() float64 {
	c := s.p.Cursor()
	return float64(c.Epoch) + float64(c.Next)/float64(max(s.n, 1))
}

// loadData encodes the training (and evaluation) examples with the model's
// own chat template and builds the packer and the evaluation batches.
func (su *setup) loadData(ctx context.Context, env Env, s Spec) error {
	enc := data.NewEncoder(su.tok, su.tmpl, data.Options{SeqLen: s.SeqLen, TooLong: s.TooLong, AllTokens: s.AllTokens, Now: s.Now})
	seqs, err := encodeDataset(ctx, env, enc, s.Dataset)
	if err != nil {
		return err
	}
	su.data.Stats = enc.Stats()
	su.digest = data.Digest(seqs)
	if len(seqs) == 0 {
		return &Failure{Reason: fmt.Sprintf("no example of dataset %d can be trained on (%s)", s.Dataset, dropSummary(su.data.Stats)),
			Suggestion: fmt.Sprintf("raise the sequence length past %d tokens, or truncate instead of dropping long examples", s.SeqLen), err: errNoData}
	}
	pad := int32(max(su.tok.EOS(), 0))
	p, err := data.NewPacker(seqs, data.PackOptions{B: s.MicroBatch, T: s.SeqLen, Seed: s.Seed, Pad: pad})
	if err != nil {
		return err
	}
	su.data.BatchesPerEpoch = p.EpochBatches(0)
	su.source = &source{p: p, n: len(seqs)}
	su.totalSteps = totalSteps(s, su.data.BatchesPerEpoch)
	if s.EvalDataset == 0 {
		return nil
	}
	evalEnc := data.NewEncoder(su.tok, su.tmpl, data.Options{SeqLen: s.SeqLen, TooLong: s.TooLong, AllTokens: s.AllTokens, Now: s.Now})
	evalSeqs, err := encodeDataset(ctx, env, evalEnc, s.EvalDataset)
	if err != nil {
		return err
	}
	st := evalEnc.Stats()
	su.data.Eval = &st
	if len(evalSeqs) == 0 {
		return &Failure{Reason: fmt.Sprintf("the evaluation dataset %d has no example to evaluate on (%s)", s.EvalDataset, dropSummary(st)),
			Suggestion: "split the dataset again with a larger evaluation share (hone dataset split ID --eval 0.1), or train without an evaluation set", err: errNoData}
	}
	ep, err := data.NewPacker(evalSeqs, data.PackOptions{B: s.MicroBatch, T: s.SeqLen, Seed: s.Seed, Pad: pad})
	if err != nil {
		return err
	}
	for range ep.EpochBatches(0) {
		b, info := ep.Next()
		if info.Targets > 0 {
			su.eval = append(su.eval, b)
		}
	}
	return nil
}

// encodeDataset reads a dataset and encodes it, leaving out (and counting)
// the examples the encoder drops.
func encodeDataset(ctx context.Context, env Env, enc *data.Encoder, id int64) ([]data.Sequence, error) {
	exs, err := data.Examples(ctx, env.Store, id)
	if err != nil {
		return nil, &Failure{Reason: fmt.Sprintf("dataset %d could not be read: %v", id, err),
			Suggestion: "check that the dataset still exists (hone datasets)", err: err}
	}
	var seqs []data.Sequence
	for _, ex := range exs {
		sq, err := enc.Encode(ex)
		if errors.Is(err, data.ErrDropped) {
			continue
		}
		if err != nil {
			return nil, err
		}
		seqs = append(seqs, sq)
	}
	return seqs, nil
}

func dropSummary(st data.Stats) string {
	if len(st.Dropped) == 0 {
		return fmt.Sprintf("%d examples", st.Examples)
	}
	s := fmt.Sprintf("%d examples, left out:", st.Examples)
	for reason, n := range st.Dropped {
		s += fmt.Sprintf(" %d %s", n, reason)
	}
	return s
}
