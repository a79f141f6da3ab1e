package app

import (
	"context"
	"fmt"

	"github.com/hone-ai/hone/backend/core"
	"github.com/hone-ai/hone/backend/jobs"
	"github.com/hone-ai/hone/backend/model"
	"github.com/hone-ai/hone/backend/model/hub"
	"github.com/wailsapp/wails/v2/pkg/runtime"
)

// Models is the base-model part of the Adapters screen.
type Models struct {
	shell *Shell
	h     *core.Hone
}

// List scans for models on this machine.
func (m *Models) List() ([]model.Found, error) { return m.h.Models(m.shell.ctx) }

// Folders lists the folders the user added.
func (m *Models) Folders() ([]string, error) { return m.h.ModelFolders(m.shell.ctx) }

// AddFolder asks for a folder to scan and adds it; "" when cancelled.
func (m *Models) AddFolder() (string, error) {
	dir, err := runtime.OpenDirectoryDialog(m.shell.ctx, runtime.OpenDialogOptions{Title: "Add a folder with models"})
	if err != nil || dir == "" {
		return "", err
	}
	return dir, m.h.AddModelFolder(m.shell.ctx, dir)
}

// RemoveFolder stops scanning a folder.
func (m *Models) RemoveFolder(path string) error { return m.h.RemoveModelFolder(m.shell.ctx, path) }

// Download fetches a model from the Hugging Face Hub in a background job.
func (m *Models) Download(repo, revision, token string) (int64, error) {
	return m.h.Jobs.Start(m.shell.ctx, "download", "Download "+repo, func(ctx context.Context, progress jobs.Progress) error {
		dir, err := m.h.DownloadModel(ctx, repo, revision, token, func(p hub.Progress) {
			frac := 0.0
			if p.Total > 0 {
				frac = float64(p.Done) / float64(p.Total)
			}
			progress(frac, fmt.Sprintf("%s: %.0f of %.0f MB", p.File, float64(p.Done)/1e6, float64(p.Total)/1e6))
		})
		if err == nil {
			progress(1, "saved in "+dir)
		}
		return err
	})
}
