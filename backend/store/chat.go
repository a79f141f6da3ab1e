package store

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Conversation is a chat kept for later: the base model it talks to, its
// system prompt and sampling settings (JSON, core.ChatSettings), and when
// it last changed.
type Conversation struct {
	ID        int64     `json:"id" gorm:"primaryKey"`
	Title     string    `json:"title"`
	ModelPath string    `json:"modelPath"`
	System    string    `json:"system"`
	Sampling  JSON      `json:"sampling" ts_type:"any"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Chat roles as the chat templates name them.
const (
	RoleUser      = "user"
	RoleAssistant = "assistant"
)

// ChatMessage is one turn of a conversation. A user turn is shared by every
// pane (Pane ""); an answer belongs to the pane of the model that wrote it
// (its model id: "base", or an adapter's).
type ChatMessage struct {
	ID             int64     `json:"id" gorm:"primaryKey"`
	ConversationID int64     `json:"conversationId"`
	Pane           string    `json:"pane"`
	Role           string    `json:"role"`
	Content        string    `json:"content"`
	Stats          ChatStats `json:"stats"`
	CreatedAt      time.Time `json:"createdAt"`
}

// ChatStats is how an answer was made: what the engine reported on its last
// event, and why it ended ("stop", "length", "cancelled", or "error" with
// Error saying why).
type ChatStats struct {
	TTFTMs           float64 `json:"ttftMs"`
	TokensPerSecond  float64 `json:"tokensPerSecond"`
	CompletionTokens int     `json:"completionTokens"`
	Seed             uint64  `json:"seed"`
	Finish           string  `json:"finish"`
	Error            string  `json:"error,omitempty"`
}

// Value stores the stats as a JSON object ("" for a user turn, which has none).
func (c ChatStats) Value() (driver.Value, error) {
	if c == (ChatStats{}) {
		return "", nil
	}
	b, err := json.Marshal(c)
	return string(b), err
}

// Scan reads what Value wrote.
func (c *ChatStats) Scan(v any) error {
	var j JSON
	if err := j.Scan(v); err != nil {
		return err
	}
	*c = ChatStats{}
	if len(j) == 0 {
		return nil
	}
	return json.Unmarshal(j, c)
}

// Arena winners: the better answer, a tie, or neither any good.
const (
	WinnerA       = "a"
	WinnerB       = "b"
	WinnerTie     = "tie"
	WinnerBothBad = "both_bad"
)

// ArenaVote is one blind match: two candidates of a base model (model ids)
// answered one prompt (JSON: the system and user messages) with one seed;
// Winner is "" until the user votes.
type ArenaVote struct {
	ID         int64      `json:"id" gorm:"primaryKey"`
	ModelPath  string     `json:"modelPath"`
	Prompt     JSON       `json:"prompt" ts_type:"any"`
	CandidateA string     `json:"candidateA"`
	CandidateB string     `json:"candidateB"`
	AnswerA    string     `json:"answerA"`
	AnswerB    string     `json:"answerB"`
	Winner     string     `json:"winner"`
	Seed       uint64     `json:"seed"`
	CreatedAt  time.Time  `json:"createdAt"`
	VotedAt    *time.Time `json:"votedAt"`
}

// ErrVoted marks a vote on a match that already has one.
var ErrVoted = errors.New("this match already has a vote")

// CreateConversation inserts c and sets its ID.
func (s *Store) CreateConversation(ctx context.Context, c *Conversation) error {
	return s.DB.WithContext(ctx).Create(c).Error
}

// Conversation reads one conversation.
func (s *Store) Conversation(ctx context.Context, id int64) (Conversation, error) {
	return byID[Conversation](ctx, s, "conversation", id)
}

// Conversations lists the conversations, the latest changed first.
func (s *Store) Conversations(ctx context.Context) ([]Conversation, error) {
	var cs []Conversation
	err := s.DB.WithContext(ctx).Order("updated_at DESC, id DESC").Find(&cs).Error
	return cs, err
}

// UpdateConversation writes the given columns of conversation id.
func (s *Store) UpdateConversation(ctx context.Context, id int64, fields map[string]any) error {
	return updateByID[Conversation](ctx, s, "conversation", id, fields)
}

// DeleteConversation deletes a conversation and its messages.
func (s *Store) DeleteConversation(ctx context.Context, id int64) error {
	res := s.DB.WithContext(ctx).Delete(&Conversation{}, id)
	if res.Error == nil && res.RowsAffected == 0 {
		return fmt.Errorf("conversation %d: %w", id, gorm.ErrRecordNotFound)
	}
	return res.Error
}

// AddChatMessages appends messages to conversation id (setting their IDs)
// and marks it changed, in one transaction.
func (s *Store) AddChatMessages(ctx context.Context, id int64, ms ...*ChatMessage) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return addMessages(tx, id, ms)
	})
}

func addMessages(tx *gorm.DB, id int64, ms []*ChatMessage) error {
	for _, m := range ms {
		m.ConversationID = id
		if err := tx.Create(m).Error; err != nil {
			return err
		}
	}
	return tx.Model(&Conversation{}).Where("id = ?", id).Update("updated_at", time.Now().UTC()).Error
}

// ReplaceChatMessages deletes messages old of conversation id and appends
// m in their place, in one transaction: a regenerated answer.
func (s *Store) ReplaceChatMessages(ctx context.Context, id int64, old []int64, m *ChatMessage) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if len(old) > 0 {
			if err := tx.Where("conversation_id = ? AND id IN ?", id, old).Delete(&ChatMessage{}).Error; err != nil {
				return err
			}
		}
		return addMessages(tx, id, []*ChatMessage{m})
	})
}

// ChatMessages lists a conversation's messages in the order they were written.
func (s *Store) ChatMessages(ctx context.Context, id int64) ([]ChatMessage, error) {
	var ms []ChatMessage
	err := s.DB.WithContext(ctx).Where("conversation_id = ?", id).Order("id").Find(&ms).Error
	return ms, err
}

// TruncateConversation deletes message from and every later message of
// conversation id: what an edited turn replaces.
func (s *Store) TruncateConversation(ctx context.Context, id, from int64) error {
	return s.DB.WithContext(ctx).Where("conversation_id = ? AND id >= ?", id, from).Delete(&ChatMessage{}).Error
}

// CreateArenaVote records a match (no winner yet) and sets its ID.
func (s *Store) CreateArenaVote(ctx context.Context, v *ArenaVote) error {
	return s.DB.WithContext(ctx).Create(v).Error
}

// ArenaVote reads one match.
func (s *Store) ArenaVote(ctx context.Context, id int64) (ArenaVote, error) {
	return byID[ArenaVote](ctx, s, "arena match", id)
}

// SetArenaWinner records the vote of match id, once: a second vote is
// ErrVoted (the answers were revealed by the first).
func (s *Store) SetArenaWinner(ctx context.Context, id int64, winner string) error {
	res := s.DB.WithContext(ctx).Model(&ArenaVote{}).Where("id = ? AND winner = ''", id).
		Updates(map[string]any{"winner": winner, "voted_at": time.Now().UTC()})
	if res.Error != nil || res.RowsAffected > 0 {
		return res.Error
	}
	if _, err := s.ArenaVote(ctx, id); err != nil {
		return err
	}
	return fmt.Errorf("arena match %d: %w", id, ErrVoted)
}

// ArenaVotes lists the voted matches of a base model, oldest first.
func (s *Store) ArenaVotes(ctx context.Context, modelPath string) ([]ArenaVote, error) {
	var vs []ArenaVote
	err := s.DB.WithContext(ctx).Where("model_path = ? AND winner <> ''", modelPath).Order("id").Find(&vs).Error
	return vs, err
}
