package openai

import (
	"maps"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/hone-ai/hone/backend/infer"
)

// DefaultMaxBody is the request body limit when Options.MaxBody is 0: a
// long chat history fits many times over, a runaway upload does not.
const DefaultMaxBody = 8 << 20

// Options configure NewServer.
type Options struct {
	// Token, when set, is the bearer token every request must carry.
	Token string
	// MaxBody caps a request body in bytes (0: DefaultMaxBody).
	MaxBody int64
	// BaseName is the id the base model is listed and requested by; empty:
	// the id the engine gives it.
	BaseName string
	// Logf receives server-side failures (panics, 5xx); nil: discarded.
	Logf func(format string, args ...any)
}

// server holds what every handler needs.
type server struct {
	g       infer.Generator
	o       Options
	started int64 // Unix time: the "created" of models the engine gives none
}

// NewServer returns the OpenAI-compatible HTTP API over g.
func NewServer(g infer.Generator, o Options) http.Handler {
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	s := &server{g: g, o: o, started: time.Now().Unix()}
	mux := http.NewServeMux()
	// Paths are registered without methods and dispatched by byMethod, as
	// ServeMux's own 404 and 405 answers are plain text, not OpenAI's JSON.
	mux.Handle("/", http.HandlerFunc(notFound))
	mux.Handle("/v1/models", byMethod{http.MethodGet: s.listModels})
	mux.Handle("/v1/models/{id...}", byMethod{http.MethodGet: s.getModel})
	mux.Handle("/v1/chat/completions", byMethod{http.MethodPost: s.chat})
	mux.Handle("/v1/completions", byMethod{http.MethodPost: s.completions})
	mux.Handle("/v1/adapters", byMethod{http.MethodPost: s.loadAdapter})
	mux.Handle("/v1/adapters/{name}", byMethod{http.MethodDelete: s.unloadAdapter})
	return s.recoverPanics(s.guard(mux))
}

// byMethod routes one path by method and answers any other with 405.
type byMethod map[string]http.HandlerFunc

func (m byMethod) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h, ok := m[r.Method]; ok {
		h(w, r)
		return
	}
	allowed := slices.Sorted(maps.Keys(m))
	w.Header().Set("Allow", strings.Join(allowed, ", "))
	writeError(w, apiError(http.StatusMethodNotAllowed, "invalid_request_error", "method_not_allowed",
		"%s is not allowed on %s (allowed: %s)", r.Method, r.URL.Path, strings.Join(allowed, ", ")))
}

func notFound(w http.ResponseWriter, r *http.Request) {
	writeError(w, apiError(http.StatusNotFound, "invalid_request_error", "unknown_url",
		"Unknown request URL: %s %s", r.Method, r.URL.Path))
}

// recoverPanics turns a handler's panic into a 500 and a log line, so one
// bad request cannot stop the server. When the answer has begun (a
// stream), it aborts the connection instead: a stream that simply ended
// would read as complete to an SDK, a cut one reads as broken.
// http.ErrAbortHandler is re-raised: it is net/http's deliberate abort.
func (s *server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tw := &trackingWriter{ResponseWriter: w}
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.o.Logf("openai: panic serving %s %s: %v\n%s", r.Method, r.URL.Path, v, debug.Stack())
			if tw.wrote {
				panic(http.ErrAbortHandler)
			}
			writeError(tw, apiError(http.StatusInternalServerError, "server_error", "internal_error",
				"internal error serving %s: %v", r.URL.Path, v))
		}()
		next.ServeHTTP(tw, r)
	})
}

// trackingWriter notes whether the header went out, so a recovered panic
// knows if it can still answer. Unwrap keeps http.ResponseController's
// Flush working through it.
type trackingWriter struct {
	http.ResponseWriter
	wrote bool
}

func (t *trackingWriter) WriteHeader(code int) {
	t.wrote = true
	t.ResponseWriter.WriteHeader(code)
}

func (t *trackingWriter) Write(b []byte) (int, error) {
	t.wrote = true
	return t.ResponseWriter.Write(b)
}

func (t *trackingWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }
