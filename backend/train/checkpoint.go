package train

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/hone-ai/hone/backend/engine"
	"github.com/hone-ai/hone/backend/internal/fsutil"
	"github.com/hone-ai/hone/backend/model"
)

// A checkpoint is a folder OUT/checkpoint-NNNNNN (the optimizer steps
// done) holding
//
//	state.json           what the loop needs to continue: step, data
//	                     cursor, the run's fingerprint, evaluations so far
//	trainer.safetensors  the flat parameters and AdamW moments, bit for bit
//	                     ("params", "exp_avg", "exp_avg_sq")
//	adapter/             the adapter at that step, as a PEFT folder (LoRA)
//
// It is written in a temporary folder beside it, every file synced, and
// renamed into place, so that a kill at any moment leaves either the
// whole checkpoint or none of it. Version 1 is this layout.
const checkpointVersion = 1

// checkpointState is state.json.
type checkpointState struct {
	Version    int             `json:"version"`
	Step       int             `json:"step"`
	Cursor     json.RawMessage `json:"cursor"` // the data order's position after Step steps
	RunHash    string          `json:"runHash"`
	BaseSHA256 string          `json:"baseSha256"`
	DataDigest string          `json:"dataDigest"` // the encoded training data's (data.Digest)
	Params     []paramInfo     `json:"params"`
	Tokens     int64           `json:"tokens"`  // tokens trained on so far
	Seconds    float64         `json:"seconds"` // time spent training so far
	Evals      []evalPoint     `json:"evals,omitempty"`
}

type paramInfo struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"`
}

type evalPoint struct {
	Step int     `json:"step"`
	Loss float64 `json:"loss"`
}

const checkpointPrefix = "checkpoint-"

func checkpointName(step int) string { return fmt.Sprintf("%s%06d", checkpointPrefix, step) }

// writeCheckpoint writes a checkpoint of tr and m into out.
func writeCheckpoint(out string, st checkpointState, tr *engine.Trainer, m *engine.Model) (string, error) {
	ts, err := tr.State()
	if err != nil {
		return "", err
	}
	st.Version, st.Step = checkpointVersion, ts.Step
	st.Params = nil
	for _, p := range tr.Params() {
		st.Params = append(st.Params, paramInfo{p.Name, p.W.Shape()})
	}
	tmp, err := os.MkdirTemp(out, ".checkpoint-tmp-")
	if err != nil {
		return "", fmt.Errorf("checkpoint: %w", err)
	}
	defer os.RemoveAll(tmp) // gone once renamed; what is left after a failure
	n := len(ts.Params)
	blob := model.EncodeSafetensors([]model.F32Tensor{
		{Name: "params", Shape: []int{n}, Data: ts.Params},
		{Name: "exp_avg", Shape: []int{n}, Data: ts.Exp},
		{Name: "exp_avg_sq", Shape: []int{n}, Data: ts.Exp2},
	})
	js, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return "", err
	}
	if err := fsutil.WriteFile(filepath.Join(tmp, "trainer.safetensors"), blob); err != nil {
		return "", fmt.Errorf("checkpoint: %w", err)
	}
	if m.HasLoRA() {
		if err := m.SaveLoRA(filepath.Join(tmp, "adapter")); err != nil {
			return "", fmt.Errorf("checkpoint: %w", err)
		}
	}
	if err := fsutil.WriteFile(filepath.Join(tmp, "state.json"), append(js, '\n')); err != nil {
		return "", fmt.Errorf("checkpoint: %w", err)
	}
	dir := filepath.Join(out, checkpointName(st.Step))
	os.RemoveAll(dir) // a checkpoint of the same step from a run that died after writing it
	if err := fsutil.ReplaceDir(tmp, dir); err != nil {
		return "", fmt.Errorf("checkpoint: %w", err)
	}
	return dir, nil
}

// checkpoints lists out's complete checkpoints, oldest first.
func checkpoints(out string) ([]string, error) {
	ents, err := os.ReadDir(out)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var dirs []string
	for _, e := range ents {
		if e.IsDir() && strings.HasPrefix(e.Name(), checkpointPrefix) {
			if _, err := strconv.Atoi(strings.TrimPrefix(e.Name(), checkpointPrefix)); err == nil {
				dirs = append(dirs, filepath.Join(out, e.Name()))
			}
		}
	}
	slices.Sort(dirs) // zero-padded steps sort as numbers
	return dirs, nil
}

// readCheckpoint reads a checkpoint's state and trainer state.
func readCheckpoint(dir string) (checkpointState, engine.TrainerState, error) {
	var st checkpointState
	raw, err := os.ReadFile(filepath.Join(dir, "state.json"))
	if err != nil {
		return st, engine.TrainerState{}, err
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		return st, engine.TrainerState{}, fmt.Errorf("%s: %w", filepath.Join(dir, "state.json"), err)
	}
	if st.Version != checkpointVersion {
		return st, engine.TrainerState{}, fmt.Errorf("%s: checkpoint format %d, this Hone reads %d", dir, st.Version, checkpointVersion)
	}
	w, err := model.OpenSafetensors(filepath.Join(dir, "trainer.safetensors"))
	if err != nil {
		return st, engine.TrainerState{}, err
	}
	defer w.Close()
	ts := engine.TrainerState{Step: st.Step}
	for _, t := range []struct {
		name string
		dst  *[]float32
	}{{"params", &ts.Params}, {"exp_avg", &ts.Exp}, {"exp_avg_sq", &ts.Exp2}} {
		if *t.dst, err = w.ReadF32(t.name); err != nil {
			return st, ts, fmt.Errorf("%s: %w", dir, err)
		}
	}
	return st, ts, nil
}

// latestCheckpoint is the newest checkpoint in out that reads whole, or
// "" when there is none.
func latestCheckpoint(out string) (string, checkpointState, engine.TrainerState, error) {
	dirs, err := checkpoints(out)
	if err != nil {
		return "", checkpointState{}, engine.TrainerState{}, err
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		st, ts, err := readCheckpoint(dirs[i])
		if err == nil {
			return dirs[i], st, ts, nil
		}
	}
	return "", checkpointState{}, engine.TrainerState{}, nil
}

// clearLeftovers removes what a run killed while writing left behind: a
// checkpoint folder that was never renamed into place, and temporary files
// beside the adapter's.
func clearLeftovers(out string) {
	tmps, _ := filepath.Glob(filepath.Join(out, ".checkpoint-tmp-*"))
	more, _ := filepath.Glob(filepath.Join(out, "*", ".*.tmp*"))
	for _, p := range append(tmps, more...) {
		os.RemoveAll(p)
	}
}

// prune deletes all but the newest keep checkpoints, sparing keepAlso (the
// best so far, by evaluation loss) when it is one of them.
func prune(out string, keep int, keepAlso string) error {
	dirs, err := checkpoints(out)
	if err != nil {
		return err
	}
	for i, d := range dirs {
		if i < len(dirs)-keep && d != keepAlso {
			if err := os.RemoveAll(d); err != nil {
				return err
			}
		}
	}
	return nil
}
