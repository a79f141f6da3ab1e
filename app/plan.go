package app

import (
	"github.com/hone-ai/hone/backend/core"
	"github.com/hone-ai/hone/backend/plan"
	"github.com/wailsapp/wails/v2/pkg/runtime"
)

// Plan is the Plan screen: will it fit, which method, what it costs.
type Plan struct {
	shell *Shell
	h     *core.Hone
}

// Choices lists the catalogue models, the cards one can pick and this
// machine's GPUs.
func (p *Plan) Choices() (core.PlanChoices, error) { return p.h.PlanChoices(p.shell.ctx) }

// Plan answers a request, as `hone plan` does.
func (p *Plan) Plan(req plan.Request) (plan.Result, error) { return p.h.Plan(p.shell.ctx, req) }

// PlanForDataset plans for a dataset's token lengths (a model on disk).
func (p *Plan) PlanForDataset(req plan.Request, datasetID int64) (plan.Result, error) {
	return p.h.PlanForDataset(p.shell.ctx, req, datasetID)
}

// PickModelFolder asks for a Hugging Face model folder; "" when cancelled.
func (p *Plan) PickModelFolder() (string, error) {
	return runtime.OpenDirectoryDialog(p.shell.ctx, runtime.OpenDialogOptions{Title: "Choose a model folder (with config.json)"})
}

// PickGGUF asks for a .gguf file; "" when cancelled.
func (p *Plan) PickGGUF() (string, error) {
	return runtime.OpenFileDialog(p.shell.ctx, runtime.OpenDialogOptions{
		Title:   "Choose a GGUF model file",
		Filters: []runtime.FileFilter{{DisplayName: "GGUF models (*.gguf)", Pattern: "*.gguf"}},
	})
}
