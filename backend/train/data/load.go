package data

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hone-ai/hone/backend/dataset"
	"github.com/hone-ai/hone/backend/store"
)

// Load encodes every example of dataset id, in dataset order. The examples
// are read one row at a time (dataset.Each), so only the sequences stay in
// memory: about 5 bytes per token (a few MB for a desktop-sized dataset).
// Examples left out on purpose (ErrDropped) are skipped and counted in
// enc.Stats(); any other error stops Load and names the example.
func Load(ctx context.Context, st *store.Store, id int64, enc *Encoder) ([]Sequence, error) {
	var seqs []Sequence
	err := dataset.Each(ctx, st, id, func(ex dataset.Example) error {
		s, err := enc.Encode(ex)
		switch {
		case errors.Is(err, ErrDropped):
			return nil
		case err != nil:
			return err
		}
		seqs = append(seqs, s)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(seqs) == 0 {
		return nil, fmt.Errorf("dataset %d: no example left to train on (%v)", id, enc.Stats().Dropped)
	}
	return seqs, nil
}

// Examples returns every example of dataset id in order, for an evaluator
// that needs them all (Encoder.Prompt each); a slice, as evaluation sets
// are small.
func Examples(ctx context.Context, st *store.Store, id int64) ([]dataset.Example, error) {
	var out []dataset.Example
	err := dataset.Each(ctx, st, id, func(ex dataset.Example) error {
		out = append(out, ex)
		return nil
	})
	return out, err
}

// splitRecipe is the recipe dataset.Split writes on each part.
type splitRecipe struct {
	Op           string  `json:"op"`
	Part         string  `json:"part"`
	From         int64   `json:"from"`
	EvalFraction float64 `json:"evalFraction"`
	Seed         uint64  `json:"seed"`
}

// EvalFor returns the eval part made by the same `dataset split` as the
// train part trainID (ok false when trainID is not a split's train part,
// or its eval part was deleted). Splitting itself is dataset.Split's.
func EvalFor(ctx context.Context, st *store.Store, trainID int64) (eval dataset.Dataset, ok bool, err error) {
	train, err := dataset.Get(ctx, st, trainID)
	if err != nil {
		return dataset.Dataset{}, false, err
	}
	var tr splitRecipe
	if json.Unmarshal([]byte(train.Recipe), &tr) != nil || tr.Op != "split" || tr.Part != "train" {
		return dataset.Dataset{}, false, nil
	}
	all, err := dataset.List(ctx, st)
	if err != nil {
		return dataset.Dataset{}, false, err
	}
	// Split writes the eval part right after the train part: of the
	// matching eval parts (the same split made twice), take the first one
	// made after it.
	for i := len(all) - 1; i >= 0; i-- { // List is newest first
		d := all[i]
		var r splitRecipe
		if d.ID <= trainID || json.Unmarshal([]byte(d.Recipe), &r) != nil {
			continue
		}
		if r.Op == "split" && r.Part == "eval" && r.From == tr.From && r.Seed == tr.Seed && r.EvalFraction == tr.EvalFraction {
			return d, true, nil
		}
	}
	return dataset.Dataset{}, false, nil
}
