package openai

import (
	"net/http"
	"regexp"

	"github.com/hone-ai/hone/backend/infer"
)

// modelObject is OpenAI's model object plus vLLM's max_model_len, root and
// parent (see the package comment).
type modelObject struct {
	ID          string `json:"id"`
	Object      string `json:"object"`
	Created     int64  `json:"created"`
	OwnedBy     string `json:"owned_by"`
	Root        string `json:"root,omitempty"`
	Parent      string `json:"parent,omitempty"`
	MaxModelLen int    `json:"max_model_len,omitempty"`
}

type modelList struct {
	Object string        `json:"object"`
	Data   []modelObject `json:"data"`
}

// baseID is the id the base model is served under.
func (s *server) baseID() string {
	if s.o.BaseName != "" {
		return s.o.BaseName
	}
	for _, m := range s.g.Models() {
		if !m.Adapter {
			return m.ID
		}
	}
	return "base"
}

// models lists the base first, then the adapters in the engine's order,
// each as OpenAI's model object.
func (s *server) models() []modelObject {
	base, ctxLen := s.baseID(), s.g.ContextLength()
	out := []modelObject{s.modelObject(infer.ModelInfo{ID: base}, base, ctxLen)}
	for _, m := range s.g.Models() {
		if !m.Adapter {
			out[0] = s.modelObject(m, base, ctxLen)
			continue
		}
		out = append(out, s.modelObject(m, base, ctxLen))
	}
	return out
}

func (s *server) modelObject(m infer.ModelInfo, base string, ctxLen int) modelObject {
	o := modelObject{ID: m.ID, Object: "model", Created: m.Created, OwnedBy: "hone", Root: m.Path, MaxModelLen: ctxLen}
	if o.Created == 0 {
		o.Created = s.started
	}
	if m.Adapter {
		o.Parent = base
	} else {
		o.ID = base
	}
	return o
}

func (s *server) listModels(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, modelList{Object: "list", Data: s.models()})
}

func (s *server) getModel(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	for _, m := range s.models() {
		if m.ID == id {
			writeJSON(w, http.StatusOK, m)
			return
		}
	}
	writeError(w, infer.NotFound(id))
}

// resolveModel maps a request's model to the engine's adapter ("" for the
// base) and the id the answer names. An empty model is the base, as vLLM
// serves it; the engine's own id for the base is accepted too.
func (s *server) resolveModel(name string) (adapter, id string, err *infer.Error) {
	base := s.baseID()
	if name == "" || name == base {
		return "", base, nil
	}
	for _, m := range s.g.Models() {
		if m.ID == name && m.Adapter {
			return name, name, nil
		}
		if m.ID == name {
			return "", base, nil
		}
	}
	return "", "", infer.NotFound(name)
}

// adapterName is what an adapter may be called: safe in a URL path
// segment and as a folder name, so it can never climb out of a directory.
var adapterName = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

func checkAdapterName(name string) *infer.Error {
	if !adapterName.MatchString(name) || name == "." || name == ".." {
		return infer.Errorf("invalid_value", "name",
			"Invalid 'name' %q: an adapter name is 1 to 64 of A-Z a-z 0-9 . _ - and not \".\" or \"..\"", name)
	}
	return nil
}

type loadAdapterBody struct {
	Name string `json:"name"`
	Path string `json:"path"`
}

func (s *server) loadAdapter(w http.ResponseWriter, r *http.Request) {
	var b loadAdapterBody
	if err := s.decode(w, r, &b); err != nil {
		writeError(w, err)
		return
	}
	if err := checkAdapterName(b.Name); err != nil {
		writeError(w, err)
		return
	}
	if b.Path == "" {
		writeError(w, infer.Errorf("missing_required_parameter", "path", "Missing required parameter: 'path' (the adapter's folder)"))
		return
	}
	if b.Name == s.baseID() {
		writeError(w, infer.Errorf("invalid_value", "name", "Invalid 'name' %q: it is the base model's id", b.Name))
		return
	}
	if err := s.g.LoadAdapter(b.Name, b.Path); err != nil {
		s.logServerError(r, err)
		writeError(w, err)
		return
	}
	s.writeModel(w, b.Name)
}

// writeModel answers a load with the adapter's model object as the engine
// now lists it.
func (s *server) writeModel(w http.ResponseWriter, id string) {
	for _, m := range s.models() {
		if m.ID == id {
			writeJSON(w, http.StatusOK, m)
			return
		}
	}
	writeError(w, apiError(http.StatusInternalServerError, "server_error", "",
		"adapter %q loaded but the engine does not list it", id))
}

// deletedModel is OpenAI's answer to deleting a model.
type deletedModel struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Deleted bool   `json:"deleted"`
}

func (s *server) unloadAdapter(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if err := checkAdapterName(name); err != nil {
		writeError(w, err)
		return
	}
	if !s.isAdapter(name) {
		writeError(w, infer.NotFound(name))
		return
	}
	if err := s.g.UnloadAdapter(name); err != nil {
		s.logServerError(r, err)
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, deletedModel{ID: name, Object: "model", Deleted: true})
}

func (s *server) isAdapter(name string) bool {
	for _, m := range s.g.Models() {
		if m.Adapter && m.ID == name {
			return true
		}
	}
	return false
}

// logServerError logs the errors that are the server's fault (5xx), which
// the client alone would otherwise see.
func (s *server) logServerError(r *http.Request, err error) {
	if asAPIError(err).Status >= 500 {
		s.o.Logf("openai: %s %s: %v", r.Method, r.URL.Path, err)
	}
}
