package model

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
)

// Where a found model lives.
const (
	SourceHuggingFace = "huggingface" // the Hugging Face hub cache
	SourceLMStudio    = "lmstudio"
	SourceOllama      = "ollama"
	SourceFolder      = "folder" // a folder the user added
)

// Root is a folder to look for models in, and whose layout it has.
type Root struct {
	Path   string `json:"path"`
	Source string `json:"source"`
}

// Found is a model found on disk.
type Found struct {
	Name         string `json:"name"`   // repo id, LM Studio path, Ollama name:tag, or path under the root
	Path         string `json:"path"`   // what OpenModel and Load take
	Source       string `json:"source"` // SourceHuggingFace, ...
	Format       string `json:"format"` // FormatHF, FormatGGUF or FormatLlama2C
	Architecture string `json:"architecture"`
	Params       int64  `json:"params"`
	Quantisation string `json:"quantisation"` // "bf16", "Q4_K_M", "gptq", ...
	SizeBytes    int64  `json:"sizeBytes"`
	// Error says why the model cannot be read; the fields above may then be
	// incomplete.
	Error string `json:"error,omitempty"`
}

// DefaultRoots are where other tools keep models, for a user whose home
// folder is home; getenv (os.Getenv in the app) reads HF_HUB_CACHE,
// HF_HOME, XDG_CACHE_HOME and OLLAMA_MODELS.
func DefaultRoots(home string, getenv func(string) string) []Root {
	hf := getenv("HF_HUB_CACHE")
	if hf == "" {
		hfHome := getenv("HF_HOME")
		if hfHome == "" {
			cache := getenv("XDG_CACHE_HOME")
			if cache == "" {
				cache = filepath.Join(home, ".cache")
			}
			hfHome = filepath.Join(cache, "huggingface")
		}
		hf = filepath.Join(hfHome, "hub")
	}
	roots := []Root{
		{hf, SourceHuggingFace},
		{filepath.Join(home, ".lmstudio", "models"), SourceLMStudio},
		{filepath.Join(home, ".cache", "lm-studio", "models"), SourceLMStudio},
	}
	if dir := getenv("OLLAMA_MODELS"); dir != "" {
		return append(roots, Root{dir, SourceOllama})
	}
	roots = append(roots, Root{filepath.Join(home, ".ollama", "models"), SourceOllama})
	if runtime.GOOS == "linux" {
		// Where Ollama's Linux installer runs the server as its own user.
		roots = append(roots, Root{"/usr/share/ollama/.ollama/models", SourceOllama})
	}
	return roots
}

// maxScanDepth bounds how deep Scan looks under a folder root, so that
// adding a big folder (a home directory) stays quick.
const maxScanDepth = 6

// Scan lists the models under roots, sorted by source and name. Roots that
// do not exist are skipped; a model that cannot be read is listed with its
// Error. The error reports roots that could not be read.
func Scan(roots []Root) ([]Found, error) {
	var found []Found
	var errs []error
	seen := map[string]bool{}
	for _, r := range roots {
		models, err := scanRoot(r)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("scan %s: %w", r.Path, err))
		}
		for _, f := range models {
			key := f.Path
			if real, err := filepath.EvalSymlinks(f.Path); err == nil {
				key = real
			}
			if !seen[key] {
				seen[key] = true
				found = append(found, f)
			}
		}
	}
	slices.SortFunc(found, func(a, b Found) int {
		if c := strings.Compare(a.Source, b.Source); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return found, errors.Join(errs...)
}

func scanRoot(r Root) ([]Found, error) {
	fi, err := os.Stat(r.Path)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, errors.New("not a folder")
	}
	switch r.Source {
	case SourceHuggingFace:
		return scanHFCache(r.Path, r.Source)
	case SourceOllama:
		return scanOllama(r.Path)
	case SourceFolder:
		// A folder the user added may be another tool's store.
		if isDir(filepath.Join(r.Path, "manifests")) && isDir(filepath.Join(r.Path, "blobs")) {
			return scanOllama(r.Path)
		}
		if m, _ := filepath.Glob(filepath.Join(r.Path, "models--*")); len(m) > 0 {
			return scanHFCache(r.Path, r.Source)
		}
	}
	return scanFolder(r.Path, r.Source), nil
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}
