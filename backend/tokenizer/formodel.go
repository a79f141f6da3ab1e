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
// Hugging Face folder (tokenizer.json, tokenizer_config.json) or a .gguf
// file. The template is nil when the model has none (a base model).
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
