package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"time"

	"github.com/hone-ai/hone/backend/compute/devices"
	"github.com/hone-ai/hone/backend/infer"
	"github.com/hone-ai/hone/backend/infer/openai"
)

// ServeOptions configure Serve: the base model, the adapters to keep
// resident and where the OpenAI-compatible API listens.
type ServeOptions struct {
	Model    string
	Name     string            // the base's model id (default: its file or folder name)
	Adapters map[string]string // name -> PEFT folder
	// Trained adds every adapter Hone trained on Model, under its model id
	// (AdapterModelID): what the window's chat serves.
	Trained  bool
	Host     string // default 127.0.0.1
	Port     int    // 0: any free port
	Token    string // bearer token; required to bind beyond loopback
	Weights  string // infer.Options.Load
	Context  int
	MaxBatch int
}

// Serve loads the base model and its adapters and serves the API until ctx
// ends; ready gets the base URL once it listens.
func (h *Hone) Serve(ctx context.Context, o ServeOptions, ready func(url string, e *infer.Engine)) error {
	if o.Host == "" {
		o.Host = "127.0.0.1"
	}
	if err := openai.CheckBind(o.Host, o.Token); err != nil {
		return err
	}
	e, err := infer.Open(o.Model, infer.Options{Name: o.Name, Load: o.Weights, Context: o.Context, MaxBatch: o.MaxBatch, Device: devices.Available()[0]})
	if err != nil {
		return err
	}
	defer e.Close()
	adapters := map[string]string{}
	if o.Trained {
		if adapters, err = h.trainedAdapters(ctx, e.Path()); err != nil {
			return err
		}
	}
	for name, dir := range o.Adapters {
		adapters[name] = dir
	}
	for name, dir := range adapters {
		if err := e.LoadAdapter(name, dir); err != nil {
			return fmt.Errorf("adapter %s (%s): %w", name, dir, err)
		}
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(o.Host, strconv.Itoa(o.Port)))
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: openai.NewServer(e, openai.Options{Token: o.Token, BaseName: e.Name()}),
		ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	if ready != nil {
		ready("http://"+ln.Addr().String()+"/v1", e)
	}
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// trainedAdapters are the adapters in the store whose contract names
// modelPath as their base, by model id.
func (h *Hone) trainedAdapters(ctx context.Context, modelPath string) (map[string]string, error) {
	all, err := h.Store.Adapters(ctx)
	if err != nil {
		return nil, err
	}
	want, _ := filepath.Abs(modelPath)
	out := map[string]string{}
	for _, a := range all {
		var c struct {
			BaseModel string `json:"baseModel"`
		}
		if json.Unmarshal(a.Contract, &c) != nil {
			continue
		}
		if base, _ := filepath.Abs(c.BaseModel); base == want {
			out[AdapterModelID(a)] = a.Path
		}
	}
	return out, nil
}

// ServingPrefix starts the line `hone serve` prints once it listens: the
// window's chat starts `hone serve` as a child and reads its URL from it.
const ServingPrefix = "Serving at "
