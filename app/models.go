package app

import (
	"github.com/hone-ai/hone/backend/core"
	"github.com/hone-ai/hone/backend/model"
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

// Download fetches a model from the Hugging Face Hub in a background job;
// a succeeded job's result is a core.DownloadResult.
func (m *Models) Download(repo, revision, token string) (int64, error) {
	return m.h.StartDownload(m.shell.ctx, repo, revision, token, nil)
}
