package model

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Model formats Hone reads.
const (
	FormatHF      = "safetensors" // a Hugging Face folder: config.json + safetensors
	FormatGGUF    = "gguf"
	FormatLlama2C = "llama2c" // a llama2.c checkpoint (.bin)
)

// detectFormat says what path is and returns the path to open: the folder
// for a Hugging Face model given by one of its files. GGUF files are known
// by their magic, whatever their name (Ollama's blobs have none).
func detectFormat(path string) (format, target string, err error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", "", err
	}
	if fi.IsDir() {
		return FormatHF, path, nil
	}
	base := strings.ToLower(filepath.Base(path))
	if base == "config.json" || base == "model.safetensors.index.json" || strings.HasSuffix(base, ".safetensors") {
		return FormatHF, filepath.Dir(path), nil
	}
	var magic [4]byte
	f, err := os.Open(path)
	if err != nil {
		return "", "", err
	}
	_, err = io.ReadFull(f, magic[:])
	f.Close()
	switch {
	case err == nil && string(magic[:]) == "GGUF":
		return FormatGGUF, path, nil
	case err == nil && bytes.Equal(magic[:], []byte("PK\x03\x04")):
		return "", "", fmt.Errorf("%s is a PyTorch checkpoint, which Hone cannot read: use the model's safetensors files", path)
	case strings.HasSuffix(base, ".gguf"):
		return "", "", fmt.Errorf("%s is not a GGUF file (it does not start with \"GGUF\")", path)
	case strings.HasSuffix(base, ".bin"):
		return FormatLlama2C, path, nil
	}
	return "", "", fmt.Errorf("%s: not a model folder, config.json, .gguf file or llama2.c checkpoint", path)
}
