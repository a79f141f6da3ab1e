package core

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/hone-ai/hone/backend/infer"
	"github.com/hone-ai/hone/backend/infer/openai"
	"github.com/hone-ai/hone/backend/jobs"
)

// chatServer runs the window's chat in a child `hone serve` — the same
// binary, on loopback with a random token — so that a driver crash or an
// out-of-memory kill while generating cannot take the window down. It
// serves one base model at a time with every adapter Hone trained on it.
type chatServer struct {
	dataDir string
	mu      sync.Mutex
	model   string
	cmd     *exec.Cmd
	client  *openai.Client
	url     string
	token   string
	exited  chan struct{}
}

// chatSource is the chat's generatorSource: the child server.
type chatSource struct {
	h *Hone
	s *chatServer
}

func (c chatSource) For(ctx context.Context, modelPath string) (infer.Generator, error) {
	return c.s.For(ctx, c.h, modelPath)
}

// ChatServer is where the chat's server listens (its OpenAI-compatible API
// on loopback, with its token), or false while none runs.
func (h *Hone) ChatServer() (ServerInfo, bool) {
	if h.server == nil {
		return ServerInfo{}, false
	}
	return h.server.Info()
}

// ServerInfo is where the chat's server listens, for other clients.
type ServerInfo struct {
	Model string `json:"model"`
	URL   string `json:"url"`
	Token string `json:"token"`
}

// StartChatServer serves modelPath (the base as BaseModelID, every adapter
// trained on it by its model id) to other clients: the chat's own server,
// started or switched to that model, with the adapters trained since it
// started loaded. The chat keeps using it.
func (h *Hone) StartChatServer(ctx context.Context, modelPath string) (ServerInfo, error) {
	if strings.TrimSpace(modelPath) == "" {
		return ServerInfo{}, errors.New("choose a base model to serve")
	}
	if _, err := h.generator(ctx, modelPath); err != nil {
		return ServerInfo{}, err
	}
	info, ok := h.ChatServer()
	if !ok {
		return ServerInfo{}, fmt.Errorf("the server for %s stopped as it started", filepath.Base(modelPath))
	}
	return info, nil
}

// StopChatServer stops the chat's server; the chat starts it again on its
// next turn.
func (h *Hone) StopChatServer() {
	if h.server != nil {
		h.server.stop()
	}
}

// For returns a Generator serving modelPath, starting (or switching) the
// child server, and loads adapters trained since it started.
func (s *chatServer) For(ctx context.Context, h *Hone, modelPath string) (infer.Generator, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil && (s.model != modelPath || s.dead()) {
		s.stopLocked()
	}
	if s.cmd == nil {
		if err := s.start(modelPath); err != nil {
			return nil, err
		}
	}
	return s.client, s.sync(ctx, h)
}

func (s *chatServer) dead() bool {
	select {
	case <-s.exited:
		return true
	default:
		return false
	}
}

// start runs `hone serve` and waits for its URL line.
func (s *chatServer) start(modelPath string) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	tok := make([]byte, 16)
	rand.Read(tok)
	s.token = hex.EncodeToString(tok)
	// --name: the API's ids are the chat's pane ids (BaseModelID for the
	// base), so that what the Chat screen lists is what clients send.
	cmd := exec.Command(exe, "--data-dir", s.dataDir, "serve", "--model", modelPath, "--name", BaseModelID, "--trained", "--port", "0")
	cmd.Env = append(os.Environ(), "HONE_API_TOKEN="+s.token)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	errOut, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start the chat server: %w", err)
	}
	exited := make(chan struct{})
	urls := make(chan string, 1)
	var why string // what the child's stderr says of its end, as jobs read it
	read := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), ServingPrefix); ok {
				urls <- u
			}
		}
		io.Copy(io.Discard, out)
		close(read)
	}()
	go func() {
		why = jobs.ReadStderr(errOut)
		<-read // Wait closes the pipes: only once both are read
		cmd.Wait()
		close(exited)
	}()
	select {
	case u := <-urls:
		s.cmd, s.exited, s.model, s.url = cmd, exited, modelPath, u
		s.client = openai.NewClient(u, s.token)
		return nil
	case <-exited:
		return fmt.Errorf("the chat server for %s stopped: %s", filepath.Base(modelPath), why)
	case <-time.After(5 * time.Minute):
		cmd.Process.Kill()
		return fmt.Errorf("the chat server for %s did not start in 5 minutes", filepath.Base(modelPath))
	}
}

// sync loads the adapters trained on the model since the server started.
func (s *chatServer) sync(ctx context.Context, h *Hone) error {
	want, err := h.trainedAdapters(ctx, s.model)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, m := range s.client.Models() {
		have[m.ID] = true
	}
	for id, dir := range want {
		if !have[id] {
			if err := s.client.LoadAdapter(id, dir); err != nil {
				return fmt.Errorf("adapter %s: %w", id, err)
			}
		}
	}
	return nil
}

// Info is where the server listens, or false when none runs.
func (s *chatServer) Info() (ServerInfo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil || s.dead() {
		return ServerInfo{}, false
	}
	return ServerInfo{Model: s.model, URL: s.url, Token: s.token}, true
}

func (s *chatServer) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopLocked()
}

func (s *chatServer) stopLocked() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
		s.cmd.Process.Kill()
		<-s.exited
	}
	s.cmd, s.client = nil, nil
}
