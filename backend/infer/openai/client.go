package openai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	sdk "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/packages/respjson"

	"github.com/hone-ai/hone/backend/infer"
)

// DefaultClientTimeout bounds the Generator methods that take no context
// (Models, ContextLength, LoadAdapter, UnloadAdapter): a stuck server must
// not hang the window that asked.
const DefaultClientTimeout = time.Minute

// Client is an infer.Generator over HTTP to a server made by NewServer
// (`hone serve`), built on OpenAI's Go SDK. The window's chat talks to a
// child `hone serve` through it, so the chat runs the same code path as
// any other client of the API.
type Client struct {
	api     sdk.Client
	timeout time.Duration

	mu     sync.Mutex
	ctxLen int // cached: the base's context length does not change
}

var _ infer.Generator = (*Client)(nil)

// NewClient talks to the server at baseURL, which includes the /v1 prefix
// as the SDKs expect ("http://127.0.0.1:8000/v1"), sending token as the
// bearer token when it is set. The SDK's retries are off: the server is
// local, and a failure should reach the user at once, not after backoff.
// Options given here override the SDK's defaults (which read OPENAI_*
// variables from the environment).
func NewClient(baseURL, token string, opts ...option.RequestOption) *Client {
	base := []option.RequestOption{option.WithBaseURL(baseURL), option.WithAPIKey(token), option.WithMaxRetries(0)}
	return &Client{api: sdk.NewClient(append(base, opts...)...), timeout: DefaultClientTimeout}
}

// ListModels is GET /v1/models: the base and the adapters, with the
// base's context length (max_model_len) cached for ContextLength.
func (c *Client) ListModels(ctx context.Context) ([]infer.ModelInfo, error) {
	page, err := c.api.Models.List(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing models: %w", clientError(err))
	}
	out := make([]infer.ModelInfo, 0, len(page.Data))
	for _, m := range page.Data {
		extra := m.JSON.ExtraFields
		info := infer.ModelInfo{ID: m.ID, Created: m.Created, Adapter: extraString(extra, "parent") != "", Path: extraString(extra, "root")}
		if !info.Adapter {
			c.mu.Lock()
			c.ctxLen = extraInt(extra, "max_model_len")
			c.mu.Unlock()
		}
		out = append(out, info)
	}
	return out, nil
}

// Models is ListModels within the client's timeout; nil when the server
// cannot be reached (the interface has no error: call ListModels for it).
func (c *Client) Models() []infer.ModelInfo {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	models, err := c.ListModels(ctx)
	if err != nil {
		return nil
	}
	return models
}

// ContextLength is the base's max_model_len from GET /v1/models, fetched
// once; 0 when the server cannot be reached.
func (c *Client) ContextLength() int {
	c.mu.Lock()
	n := c.ctxLen
	c.mu.Unlock()
	if n > 0 {
		return n
	}
	c.Models()
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ctxLen
}

// LoadAdapter is POST /v1/adapters within the client's timeout.
func (c *Client) LoadAdapter(name, dir string) error {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	return c.LoadAdapterContext(ctx, name, dir)
}

// LoadAdapterContext is POST /v1/adapters.
func (c *Client) LoadAdapterContext(ctx context.Context, name, dir string) error {
	var model json.RawMessage
	if err := c.api.Post(ctx, "adapters", loadAdapterBody{Name: name, Path: dir}, &model); err != nil {
		return fmt.Errorf("loading adapter %q from %s: %w", name, dir, clientError(err))
	}
	return nil
}

// UnloadAdapter is DELETE /v1/adapters/{name} within the client's timeout.
func (c *Client) UnloadAdapter(name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	return c.UnloadAdapterContext(ctx, name)
}

// UnloadAdapterContext is DELETE /v1/adapters/{name}. The name is checked
// here too, as it becomes part of the URL path.
func (c *Client) UnloadAdapterContext(ctx context.Context, name string) error {
	if err := checkAdapterName(name); err != nil {
		return err
	}
	var deleted json.RawMessage
	if err := c.api.Delete(ctx, "adapters/"+name, nil, &deleted); err != nil {
		return fmt.Errorf("unloading adapter %q: %w", name, clientError(err))
	}
	return nil
}

// clientError turns the SDK's API error into the *infer.Error the server
// sent, so callers see the same Status, Type, Code and Param as over HTTP.
func clientError(err error) error {
	var apiErr *sdk.Error
	if !errors.As(err, &apiErr) {
		return err
	}
	return &infer.Error{Status: apiErr.StatusCode, Type: apiErr.Type, Code: apiErr.Code, Param: apiErr.Param, Message: apiErr.Message}
}

// extraString and extraInt read Hone's and vLLM's extra fields of a model
// object; absent or mistyped reads as empty.
func extraString(extra map[string]respjson.Field, key string) string {
	var s string
	_ = json.Unmarshal([]byte(extra[key].Raw()), &s)
	return s
}

func extraInt(extra map[string]respjson.Field, key string) int {
	var n int
	_ = json.Unmarshal([]byte(extra[key].Raw()), &n)
	return n
}
