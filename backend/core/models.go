package core

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hone-ai/hone/backend/jobs"
	"github.com/hone-ai/hone/backend/model"
	"github.com/hone-ai/hone/backend/model/hub"
	"github.com/hone-ai/hone/backend/store"
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

// DownloadKind is the kind of a model download job.
const DownloadKind = "download"

// DownloadResult is what a download job made, its JSON result.
type DownloadResult struct {
	Repo string `json:"repo"`
	Dir  string `json:"dir"` // where the model now is
}

// StartDownload fetches a model from the Hugging Face Hub in a job of this
// process; watch, if not nil, sees every update of the job.
func (h *Hone) StartDownload(ctx context.Context, repo, revision, token string, watch func(store.Job)) (int64, error) {
	return h.Jobs.Start(ctx, jobs.Spec{Kind: DownloadKind, Title: "Download " + repo, Watch: watch,
		Run: func(ctx context.Context, report jobs.Report) (any, error) {
			dir, err := h.DownloadModel(ctx, repo, revision, token, func(p hub.Progress) {
				frac := 0.0
				if p.Total > 0 {
					frac = float64(p.Done) / float64(p.Total)
				}
				report(jobs.Progress{Fraction: frac, Message: fmt.Sprintf("%s: %.0f of %.0f MB", p.File, float64(p.Done)/1e6, float64(p.Total)/1e6)})
			})
			if err != nil {
				return nil, err
			}
			report(jobs.Progress{Fraction: 1, Message: "saved in " + dir})
			return DownloadResult{Repo: repo, Dir: dir}, nil
		}})
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
