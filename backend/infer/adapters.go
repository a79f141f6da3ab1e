package infer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/hone-ai/hone/backend/model"
	"github.com/hone-ai/hone/backend/train"
)

// validName is what an adapter may be called: it is a URL path segment and
// a JSON model id, never a path.
var validName = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// CheckName refuses an adapter name that is not a plain id.
func CheckName(name string) error {
	if !validName.MatchString(name) || name == "." || name == ".." {
		return Errorf("invalid_value", "name", "adapter name %q: use 1 to 64 letters, digits, '.', '_' or '-' (not a path)", name)
	}
	return nil
}

// LoadAdapter reads the PEFT adapter in dir and keeps it resident under
// name. Hone's contract beside it (hone_contract.json), where there is
// one, must name this base's architecture and weights (sha256); every
// matrix must have the shape this base needs. A mismatch is refused with
// what differs, before anything is served with it.
func (e *Engine) LoadAdapter(name, dir string) error {
	if err := CheckName(name); err != nil {
		return err
	}
	if name == e.name {
		return Errorf("invalid_value", "name", "adapter name %q is the base model's", name)
	}
	if err := e.checkContract(dir); err != nil {
		return err
	}
	lora, err := e.m.ReadLoRA(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return &Error{Status: http.StatusNotFound, Type: "invalid_request_error", Code: "adapter_not_found", Param: "path",
				Message: fmt.Sprintf("no PEFT adapter in %s: %v", dir, err)}
		}
		return Errorf("adapter_mismatch", "path", "adapter %s does not fit %s: %v", dir, e.name, err)
	}
	abs, _ := filepath.Abs(dir)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.adapters[name] = &resident{info: ModelInfo{ID: name, Adapter: true, Path: abs, Created: time.Now().Unix()}, lora: lora}
	return nil
}

// UnloadAdapter drops an adapter; requests already running with it finish.
func (e *Engine) UnloadAdapter(name string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.adapters[name]; !ok {
		return NotFound(name)
	}
	delete(e.adapters, name)
	return nil
}

// checkContract compares Hone's contract beside an adapter with the base.
func (e *Engine) checkContract(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, "hone_contract.json")); err != nil {
		return nil // a PEFT adapter from elsewhere: the shapes are the check
	}
	c, err := train.ReadContract(dir)
	if err != nil {
		return Errorf("invalid_value", "path", "%v", err)
	}
	if c.Architecture != "" && c.Architecture != e.m.Config.Architecture {
		return Errorf("adapter_mismatch", "path", "adapter %s was trained on a %s model (%s), not on %s (%s)",
			dir, c.Architecture, c.BaseModel, e.m.Config.Architecture, e.path)
	}
	if c.BaseSHA256 == "" {
		return nil
	}
	h, err := e.baseHash()
	if err != nil {
		return fmt.Errorf("hash the base model: %w", err)
	}
	if h != c.BaseSHA256 {
		return Errorf("adapter_mismatch", "path", "adapter %s was trained on %s (sha256 %.12s…), not on this base %s (sha256 %.12s…): its weights would be applied to other weights",
			dir, c.BaseModel, c.BaseSHA256, e.path, h)
	}
	return nil
}

// hashBase is train.HashModel of the model at path.
func hashBase(path string) (string, error) {
	mm, err := model.OpenModel(path)
	if err != nil {
		return "", err
	}
	defer mm.Close()
	return train.HashModel(context.Background(), mm)
}
