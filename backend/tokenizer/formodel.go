package tokenizer

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/hone-ai/hone/backend/model"
)

// ForModel loads the tokenizer and chat template of a local model: a
// Hugging Face folder (tokenizer.json, tokenizer_config.json), a .gguf file
// or a llama2.c checkpoint. The template is nil when the model has none (a
// base model).
func ForModel(path string) (*Tokenizer, *ChatTemplate, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, nil, fmt.Errorf("tokenizer of %s: %w", path, err)
	}
	if !fi.IsDir() && isGGUF(path) {
		f, err := os.Open(path)
		if err != nil {
			return nil, nil, err
		}
		defer f.Close()
		g, err := model.ReadGGUFKeeping(f, GGUFArrays...)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		tok, err := FromGGUF(g)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		tmpl, err := ChatTemplateFromGGUF(g, tok)
		if errors.Is(err, ErrNoChatTemplate) {
			return tok, nil, nil
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		return tok, tmpl, nil
	}
	dir := path
	if !fi.IsDir() {
		dir = filepath.Dir(path)
		if _, err := os.Stat(filepath.Join(dir, "tokenizer.json")); errors.Is(err, os.ErrNotExist) {
			return forLlama2C(path)
		}
	}
	config := filepath.Join(dir, "tokenizer_config.json")
	if _, err := os.Stat(config); errors.Is(err, os.ErrNotExist) {
		config = ""
	}
	tok, err := FromHFFiles(filepath.Join(dir, "tokenizer.json"), config)
	if err != nil {
		return nil, nil, err
	}
	if config == "" {
		return tok, nil, nil
	}
	tmpl, err := ChatTemplateFromHFConfig(config)
	if errors.Is(err, ErrNoChatTemplate) {
		return tok, nil, nil // a base model
	}
	if err != nil {
		return nil, nil, err
	}
	return tok, tmpl, nil
}

// forLlama2C is the tokenizer of a llama2.c checkpoint (tokenizer.bin or
// tok*.bin beside it, as model.OpenModel finds it); such a model has no
// chat template.
func forLlama2C(path string) (*Tokenizer, *ChatTemplate, error) {
	mm, err := model.OpenModel(path)
	if err != nil {
		return nil, nil, err
	}
	defer mm.Close()
	if mm.Format != model.FormatLlama2C || mm.Tokenizer == "" {
		return nil, nil, fmt.Errorf("%s: no tokenizer.json beside it and not a llama2.c checkpoint with its tokenizer", path)
	}
	tok, err := FromLlama2C(mm.Tokenizer)
	return tok, nil, err
}

// isGGUF looks at the magic bytes: Ollama keeps GGUF files without an extension.
func isGGUF(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	magic := make([]byte, 4)
	_, err = io.ReadFull(f, magic)
	return err == nil && string(magic) == "GGUF"
}
