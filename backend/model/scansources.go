package model

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// scanHFCache lists the models of a Hugging Face hub cache:
// models--ORG--NAME/snapshots/REV/, REV being the commit refs/main names
// (else the newest snapshot). A snapshot is a model folder, or holds GGUF
// files that are each a model.
func scanHFCache(root, source string) ([]Found, error) {
	repos, err := filepath.Glob(filepath.Join(root, "models--*"))
	if err != nil {
		return nil, err
	}
	var found []Found
	for _, repo := range repos {
		snap := hfSnapshot(repo)
		if snap == "" {
			continue // a download that never finished
		}
		name := strings.ReplaceAll(strings.TrimPrefix(filepath.Base(repo), "models--"), "--", "/")
		for _, f := range scanFolder(snap, source) {
			if f.Path == snap {
				f.Name = name
			} else {
				f.Name = name + "/" + f.Name
			}
			found = append(found, f)
		}
	}
	return found, nil
}

// hfSnapshot is the snapshot folder of a cached repo, "" when it has none.
func hfSnapshot(repo string) string {
	if ref, err := os.ReadFile(filepath.Join(repo, "refs", "main")); err == nil {
		snap := filepath.Join(repo, "snapshots", strings.TrimSpace(string(ref)))
		if filepath.Base(snap) == strings.TrimSpace(string(ref)) && isDir(snap) {
			return snap
		}
	}
	entries, err := os.ReadDir(filepath.Join(repo, "snapshots"))
	if err != nil {
		return ""
	}
	newest, newestTime := "", int64(0)
	for _, e := range entries {
		fi, err := e.Info()
		if err == nil && e.IsDir() && fi.ModTime().UnixNano() > newestTime {
			newest, newestTime = filepath.Join(repo, "snapshots", e.Name()), fi.ModTime().UnixNano()
		}
	}
	return newest
}

// scanOllama lists the models of an Ollama store: each manifest
// manifests/HOST/NAMESPACE/NAME/TAG names its GGUF weights as a layer of
// type application/vnd.ollama.image.model, stored in blobs/sha256-HEX.
func scanOllama(root string) ([]Found, error) {
	manifests := filepath.Join(root, "manifests")
	var found []Found
	err := filepath.WalkDir(manifests, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(manifests, path)
		parts := strings.Split(filepath.ToSlash(rel), "/")
		if len(parts) != 4 {
			return nil
		}
		name := parts[2] + ":" + parts[3]
		switch {
		case parts[0] == "registry.ollama.ai" && parts[1] == "library":
		case parts[0] == "registry.ollama.ai":
			name = parts[1] + "/" + name
		default:
			name = parts[0] + "/" + parts[1] + "/" + name
		}
		f := Found{Name: name, Path: path, Source: SourceOllama, Format: FormatGGUF}
		blob, err := ollamaModelBlob(root, path)
		if err != nil {
			f.Error = err.Error()
			found = append(found, f)
			return nil
		}
		if f2, ok := describeGGUF(blob, SourceOllama); ok {
			f2.Name = name
			found = append(found, f2)
		}
		return nil
	})
	return found, err
}

// ollamaModelBlob reads a manifest and returns its model layer's blob.
func ollamaModelBlob(root, manifest string) (string, error) {
	data, err := readLimited(manifest, 1<<20)
	if err != nil {
		return "", err
	}
	var m struct {
		Layers []struct {
			MediaType string `json:"mediaType"`
			Digest    string `json:"digest"`
		} `json:"layers"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return "", fmt.Errorf("manifest %s: %w", manifest, describeJSONError(data, err))
	}
	for _, l := range m.Layers {
		if l.MediaType != "application/vnd.ollama.image.model" {
			continue
		}
		hex, ok := strings.CutPrefix(l.Digest, "sha256:")
		if !ok || strings.ContainsAny(hex, `/\.`) {
			return "", fmt.Errorf("manifest %s: bad digest %q", manifest, l.Digest)
		}
		return filepath.Join(root, "blobs", "sha256-"+hex), nil
	}
	return "", fmt.Errorf("manifest %s: no model layer", manifest)
}

// scanFolder finds models anywhere under root, maxScanDepth deep, not
// following folder links or looking into hidden folders: Hugging Face model
// folders (with a config.json; not looked into further), GGUF files and
// llama2.c checkpoints. A model's name is its path under root without the
// extension, or root's own name when root is the model.
func scanFolder(root, source string) []Found {
	var found []Found
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(root, path)
		name := filepath.ToSlash(rel)
		if name == "." {
			name = filepath.Base(root)
		}
		switch {
		case err != nil:
			return nil // unreadable: skip it
		case d.IsDir() && path != root && (strings.HasPrefix(d.Name(), ".") || strings.Count(name, "/") >= maxScanDepth):
			return filepath.SkipDir
		case d.IsDir():
			if !isFile(filepath.Join(path, "config.json")) {
				return nil
			}
			f := describeHF(path, source)
			f.Name = name
			found = append(found, f)
			return filepath.SkipDir
		case !isFile(path): // a link to a folder, a socket, ...
			return nil
		}
		var f Found
		ok := false
		switch strings.ToLower(filepath.Ext(path)) {
		case ".gguf":
			f, ok = describeGGUF(path, source)
		case ".bin":
			f, ok = describeLlama2C(path, source)
		}
		if ok {
			f.Name = strings.TrimSuffix(name, filepath.Ext(name))
			found = append(found, f)
		}
		return nil
	})
	return found
}

// isFile reports whether path is a regular file, following links (the
// Hugging Face cache links snapshot files to blobs).
func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}
