package plan

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/hone-ai/hone/backend/model"
)

// CatalogueModel is a well-known base model, for planning before it is on disk.
type CatalogueModel struct {
	Key    string       `json:"key"`
	Name   string       `json:"name"`
	Repo   string       `json:"repo"` // Hugging Face repository id
	Config model.Config `json:"config"`
}

//go:embed catalogue.json
var catalogueJSON []byte

// Catalogue returns the built-in models, smallest first. The embedded file
// is decoded once; every plan request looks a model up in it.
func Catalogue() ([]CatalogueModel, error) {
	models, err := decodeCatalogue()
	return slices.Clone(models), err
}

var decodeCatalogue = sync.OnceValues(func() ([]CatalogueModel, error) {
	var c struct {
		Models []CatalogueModel `json:"models"`
	}
	if err := json.Unmarshal(catalogueJSON, &c); err != nil {
		return nil, fmt.Errorf("built-in catalogue: %w", err)
	}
	return c.Models, nil
})

// FindCatalogue finds a model by key ("llama-3.1-8b"), repository id or
// name, case-insensitively.
func FindCatalogue(name string) (CatalogueModel, bool, error) {
	models, err := Catalogue()
	if err != nil {
		return CatalogueModel{}, false, err
	}
	for _, m := range models {
		if strings.EqualFold(m.Key, name) || strings.EqualFold(m.Repo, name) || strings.EqualFold(m.Name, name) {
			return m, true, nil
		}
	}
	return CatalogueModel{}, false, nil
}
