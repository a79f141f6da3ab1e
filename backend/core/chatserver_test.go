package core

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// A real `hone serve` child cannot start from here (os.Executable is this
// test binary), so these tests cover what holds without one; the e2e test
// of the Chat screen (frontend/e2e/chat.e2e.mjs) calls the real server.

// TestChatServerNotRunning: a fresh Hone runs no server, and stopping
// none is harmless.
func TestChatServerNotRunning(t *testing.T) {
	h := chatHone(t, nil)
	if info, ok := h.ChatServer(); ok || info != (ServerInfo{}) {
		t.Fatalf("a fresh Hone serves %+v", info)
	}
	h.StopChatServer()
	if _, ok := h.ChatServer(); ok {
		t.Fatal("a server runs after stop")
	}
	child, err := Open(context.Background(), Options{DataDir: t.TempDir(), FakeGPUs: "rtx4090", ForChild: true})
	if err != nil {
		t.Fatal(err)
	}
	defer child.Close()
	child.StopChatServer()
	if _, ok := child.ChatServer(); ok {
		t.Fatal("a Hone without a chat server says one runs")
	}
}

// TestStartChatServerRefuses: no model, no engine behind the chat, or a
// chat that generates without a server: an error that says which, and no
// ServerInfo.
func TestStartChatServerRefuses(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name  string
		h     *Hone
		model string
		is    error
		want  string
	}{
		{"no model", chatHone(t, nil), "", nil, "choose a base model to serve"},
		{"a blank model", chatHone(t, nil), "  ", nil, "choose a base model to serve"},
		{"no engine", chatHone(t, nil), chatModel, ErrChatUnavailable, "chat is not available"},
		{"a chat without a server", chatHone(t, &fakeGen{}), chatModel, nil, "the server for stories260K.bin stopped as it started"},
	} {
		info, err := c.h.StartChatServer(ctx, c.model)
		if err == nil || !strings.Contains(err.Error(), c.want) || (c.is != nil && !errors.Is(err, c.is)) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
		if info != (ServerInfo{}) {
			t.Errorf("%s: info %+v", c.name, info)
		}
	}
}
