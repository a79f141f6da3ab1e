package core

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hone-ai/hone/backend/model"
	"github.com/hone-ai/hone/backend/model/hub"
)

// ModelsDir is where downloaded models go, inside the data folder.
const ModelsDir = "models"

// ModelRoots are the folders scanned for models: where other tools keep
// theirs, Hone's own downloads, and the folders the user added.
func (h *Hone) ModelRoots(ctx context.Context) ([]model.Root, error) {
	home, _ := os.UserHomeDir()
	roots := model.DefaultRoots(home, h.getenv)
	roots = append(roots, model.Root{Path: filepath.Join(h.DataDir, ModelsDir), Source: model.SourceFolder})
	folders, err := h.ModelFolders(ctx)
	if err != nil {
		return nil, err
	}
	for _, f := range folders {
		roots = append(roots, model.Root{Path: f, Source: model.SourceFolder})
	}
	return roots, nil
}

// Models lists the models on this machine.
func (h *Hone) Models(ctx context.Context) ([]model.Found, error) {
	roots, err := h.ModelRoots(ctx)
	if err != nil {
		return nil, err
	}
	found, err := model.Scan(roots)
	if found == nil {
		found = []model.Found{}
	}
	return found, err
}

// ModelFolders are the folders the user added.
func (h *Hone) ModelFolders(ctx context.Context) ([]string, error) {
	var paths []string
	err := h.Store.DB.WithContext(ctx).Raw(`SELECT path FROM model_folders ORDER BY added_at`).Scan(&paths).Error
	return paths, err
}

// AddModelFolder adds a folder to scan for models.
func (h *Hone) AddModelFolder(ctx context.Context, path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
		return fmt.Errorf("add model folder %s: not a folder", abs)
	}
	return h.Store.DB.WithContext(ctx).Exec(`INSERT OR IGNORE INTO model_folders(path, added_at) VALUES (?, ?)`, abs, time.Now().UTC()).Error
}

// RemoveModelFolder stops scanning a folder; its files stay.
func (h *Hone) RemoveModelFolder(ctx context.Context, path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	res := h.Store.DB.WithContext(ctx).Exec(`DELETE FROM model_folders WHERE path = ?`, abs)
	if res.Error == nil && res.RowsAffected == 0 {
		return fmt.Errorf("remove model folder %s: not in the list", abs)
	}
	return res.Error
}

// DownloadModel fetches a model from the Hugging Face Hub into the data
// folder and returns where it is. An interrupted download resumes.
func (h *Hone) DownloadModel(ctx context.Context, repo, revision, token string, progress func(hub.Progress)) (string, error) {
	if strings.Count(repo, "/") != 1 || strings.Contains(repo, "..") {
		return "", fmt.Errorf("download %q: want a repository id such as HuggingFaceTB/SmolLM2-135M-Instruct", repo)
	}
	if token == "" {
		token = h.getenv("HF_TOKEN")
	}
	dir := filepath.Join(h.DataDir, ModelsDir, strings.ReplaceAll(repo, "/", "--"))
	err := hub.Download(ctx, hub.Options{Endpoint: h.getenv("HF_ENDPOINT"), Repo: repo, Revision: revision, Token: token, Dir: dir}, progress)
	return dir, err
}
