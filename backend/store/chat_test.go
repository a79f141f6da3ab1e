package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"gorm.io/gorm"
)

// TestConversations: a conversation's row and settings, its messages in
// order with their stats (a user turn has none), a regenerated answer
// replacing the old one, a truncation from an edited turn, the list by
// latest change, and a delete that takes the messages along — all read
// back from the file after reopening it.
func TestConversations(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), FileName)
	s := open(t, path)
	a := &Conversation{Title: "", ModelPath: "/m/stories260K.bin", System: "be brief", Sampling: JSON(`{"temperature":0.8}`)}
	b := &Conversation{Title: "other", ModelPath: "/m/smol"}
	for _, c := range []*Conversation{a, b} {
		if err := s.CreateConversation(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	user := &ChatMessage{Role: RoleUser, Content: "hi"}
	base := &ChatMessage{Pane: "base", Role: RoleAssistant, Content: "hello", Stats: ChatStats{TTFTMs: 12.5, TokensPerSecond: 80, CompletionTokens: 3, Seed: 42, Finish: "stop"}}
	lora := &ChatMessage{Pane: "lora-1", Role: RoleAssistant, Content: "hey", Stats: ChatStats{Seed: 42, Finish: "length"}}
	if err := s.AddChatMessages(ctx, a.ID, user, base, lora); err != nil {
		t.Fatal(err)
	}
	if user.ID == 0 || base.ID <= user.ID || lora.ConversationID != a.ID {
		t.Fatalf("ids %d %d, conversation %d", user.ID, base.ID, lora.ConversationID)
	}
	again := &ChatMessage{Pane: "lora-1", Role: RoleAssistant, Content: "hey again", Stats: ChatStats{Seed: 7, Finish: "stop"}}
	if err := s.ReplaceChatMessages(ctx, a.ID, []int64{lora.ID}, again); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateConversation(ctx, a.ID, map[string]any{"title": "greetings"}); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateConversation(ctx, 99, map[string]any{"title": "x"}); !errors.Is(err, gorm.ErrRecordNotFound) {
		t.Errorf("updating a missing conversation: %v", err)
	}
	s.Close()
	s = open(t, path)

	ms, err := s.ChatMessages(ctx, a.ID)
	if err != nil || len(ms) != 3 {
		t.Fatalf("messages %+v, %v", ms, err)
	}
	if ms[0].Role != RoleUser || ms[0].Pane != "" || ms[0].Stats != (ChatStats{}) {
		t.Errorf("user turn back as %+v", ms[0])
	}
	if ms[1].Stats != base.Stats || ms[1].Content != "hello" || ms[2].Content != "hey again" || ms[2].Stats.Seed != 7 {
		t.Errorf("answers back as %+v", ms[1:])
	}
	var raw string
	s.DB.Raw("SELECT stats FROM chat_messages WHERE id = ?", user.ID).Scan(&raw)
	if raw != "" {
		t.Errorf("a user turn's stats stored as %q", raw)
	}
	cs, err := s.Conversations(ctx)
	if err != nil || len(cs) != 2 || cs[0].ID != a.ID || cs[0].Title != "greetings" || string(cs[0].Sampling) != `{"temperature":0.8}` {
		t.Fatalf("conversations %+v, %v", cs, err)
	}

	if err := s.TruncateConversation(ctx, a.ID, base.ID); err != nil {
		t.Fatal(err)
	}
	if ms, _ := s.ChatMessages(ctx, a.ID); len(ms) != 1 || ms[0].ID != user.ID {
		t.Errorf("after truncating from %d: %+v", base.ID, ms)
	}
	if err := s.DeleteConversation(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	var left int
	s.DB.Raw("SELECT count(*) FROM chat_messages").Scan(&left)
	if left != 0 {
		t.Errorf("%d messages of a deleted conversation remain", left)
	}
	if _, err := s.Conversation(ctx, a.ID); !errors.Is(err, gorm.ErrRecordNotFound) {
		t.Errorf("a deleted conversation reads back: %v", err)
	}
	if err := s.DeleteConversation(ctx, a.ID); !errors.Is(err, gorm.ErrRecordNotFound) {
		t.Errorf("deleting it twice: %v", err)
	}
}

// TestArenaVotes: a match is stored without a winner and left out of the
// votes until voted; a vote is taken once; votes are per base model.
func TestArenaVotes(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), FileName))
	mk := func(model, a, b string) *ArenaVote {
		v := &ArenaVote{ModelPath: model, Prompt: JSON(`[{"role":"user","content":"q"}]`), CandidateA: a, CandidateB: b,
			AnswerA: "x", AnswerB: "y", Seed: 1 << 31}
		if err := s.CreateArenaVote(ctx, v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	first, pending, other := mk("/m/a", "base", "lora-1"), mk("/m/a", "lora-2", "base"), mk("/m/b", "base", "x-3")
	for _, c := range []struct {
		id     int64
		winner string
		want   error
	}{
		{first.ID, WinnerA, nil},
		{first.ID, WinnerB, ErrVoted},
		{other.ID, WinnerTie, nil},
		{99, WinnerA, gorm.ErrRecordNotFound},
	} {
		if err := s.SetArenaWinner(ctx, c.id, c.winner); !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("vote %s on %d: %v, want %v", c.winner, c.id, err, c.want)
		}
	}
	vs, err := s.ArenaVotes(ctx, "/m/a")
	if err != nil || len(vs) != 1 || vs[0].ID != first.ID || vs[0].Winner != WinnerA || vs[0].VotedAt == nil || vs[0].Seed != 1<<31 {
		t.Fatalf("votes %+v, %v", vs, err)
	}
	p, err := s.ArenaVote(ctx, pending.ID)
	if err != nil || p.Winner != "" || p.VotedAt != nil || p.CandidateA != "lora-2" || string(p.Prompt) != `[{"role":"user","content":"q"}]` {
		t.Fatalf("pending match %+v, %v", p, err)
	}
}
