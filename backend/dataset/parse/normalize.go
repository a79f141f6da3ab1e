package parse

import (
	"encoding/json"
	"fmt"
	"strings"
)

// normalize turns one row into an example of the plan's format, or says which
// field is wrong and why.
func (p *plan) normalize(r row) (Example, *problem) {
	var ex Example
	var bad *problem
	switch p.Format {
	case Alpaca:
		ex, bad = alpaca(r)
	case ShareGPT:
		ex, bad = shareGPT(r)
	case OpenAI:
		ex, bad = openAI(r)
	case PromptCompletion:
		ex, bad = promptCompletion(r)
	case Text:
		ex, bad = plainText(r, p.Columns.Prompt)
	case Table:
		ex, bad = table(r, p.Columns)
	}
	if bad != nil && bad.missing {
		// A row of another shape than the file's: say what it looks like.
		if f, _ := shapeOf(r); f != "" && f != p.Format {
			bad.reason += fmt.Sprintf(" (this row looks like %s; the file is %s)", f, p.Format)
		} else {
			bad.reason += fmt.Sprintf(" (the row has %s)", list(r.names(), 8))
		}
	}
	return ex, bad
}

// need returns a required string field.
func need(r row, name string) (string, *problem) {
	v := r.get(name)
	switch v.kind {
	case str:
		return v.text, nil
	case absent:
		return "", &problem{field: name, reason: "missing", missing: true}
	}
	return "", rowProblem(name, "want a string, got %s", v.kind)
}

// optional returns a string field that may be absent or null.
func optional(r row, name string) (string, *problem) {
	v := r.get(name)
	switch v.kind {
	case str:
		return v.text, nil
	case absent, null:
		return "", nil
	}
	return "", rowProblem(name, "want a string, got %s", v.kind)
}

// blank is true for content that teaches nothing; content that is not blank
// is kept exactly, surrounding space included.
func blank(s string) bool { return strings.TrimSpace(s) == "" }

func alpaca(r row) (Example, *problem) {
	instruction, bad := need(r, "instruction")
	if bad != nil {
		return Example{}, bad
	}
	input, bad := optional(r, "input")
	if bad != nil {
		return Example{}, bad
	}
	output, bad := need(r, "output")
	if bad != nil {
		return Example{}, bad
	}
	system, bad := optional(r, "system")
	if bad != nil {
		return Example{}, bad
	}
	user := instruction
	switch {
	case blank(input):
	case blank(instruction):
		user = input
	default:
		user = instruction + "\n\n" + input
	}
	if blank(user) {
		return Example{}, rowProblem("instruction", "empty user turn")
	}
	if blank(output) {
		return Example{}, rowProblem("output", "empty assistant turn")
	}
	return Example{Messages: withSystem(system, user, output)}, nil
}

func promptCompletion(r row) (Example, *problem) {
	prompt, bad := need(r, "prompt")
	if bad != nil {
		return Example{}, bad
	}
	completion, bad := need(r, "completion")
	if bad != nil {
		return Example{}, bad
	}
	if blank(prompt) {
		return Example{}, rowProblem("prompt", "empty user turn")
	}
	if blank(completion) {
		return Example{}, rowProblem("completion", "empty assistant turn")
	}
	return Example{Messages: withSystem("", prompt, completion)}, nil
}

func plainText(r row, column string) (Example, *problem) {
	if column == "" {
		column = "text"
	}
	text, bad := need(r, column)
	if bad != nil {
		return Example{}, bad
	}
	if blank(text) {
		return Example{}, rowProblem(column, "empty text")
	}
	return Example{Messages: []Message{{Role: "assistant", Content: text}}, Text: true}, nil
}

// table maps columns; with no response column the model learns to answer the
// label, which is how a text+label classification set becomes chat.
func table(r row, c Columns) (Example, *problem) {
	user, bad := need(r, c.Prompt)
	if bad != nil {
		return Example{}, bad
	}
	var ex Example
	if c.Label != "" {
		v := r.get(c.Label)
		switch v.kind {
		case str, number, boolean: // labels are often class numbers
			ex.Label = v.text
		case absent:
			return Example{}, &problem{field: c.Label, reason: "missing", missing: true}
		default:
			return Example{}, rowProblem(c.Label, "want a string, got %s", v.kind)
		}
	}
	answer, answerField := ex.Label, c.Label
	if c.Response != "" {
		if answer, bad = need(r, c.Response); bad != nil {
			return Example{}, bad
		}
		answerField = c.Response
	}
	var system string
	if c.System != "" {
		if system, bad = optional(r, c.System); bad != nil {
			return Example{}, bad
		}
	}
	if blank(user) {
		return Example{}, rowProblem(c.Prompt, "empty user turn")
	}
	if blank(answer) {
		return Example{}, rowProblem(answerField, "empty assistant turn")
	}
	ex.Messages = withSystem(system, user, answer)
	return ex, nil
}

func withSystem(system, user, assistant string) []Message {
	msgs := make([]Message, 0, 3)
	if !blank(system) {
		msgs = append(msgs, Message{Role: "system", Content: system})
	}
	return append(msgs, Message{Role: "user", Content: user}, Message{Role: "assistant", Content: assistant})
}

// turn is a chat message with its index in the row, for error paths.
type turn struct {
	Message
	at int
}

var (
	openAIRoles   = map[string]string{"system": "system", "developer": "system", "user": "user", "assistant": "assistant"}
	shareGPTRoles = map[string]string{"system": "system", "human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant", "model": "assistant", "bot": "assistant"}
)

func openAI(r row) (Example, *problem) {
	items, bad := elements(r, "messages")
	if bad != nil {
		return Example{}, bad
	}
	turns := make([]turn, 0, len(items))
	for i, item := range items {
		at := fmt.Sprintf("messages[%d]", i)
		m, bad := member(item, at)
		if bad != nil {
			return Example{}, bad
		}
		role, bad := need(m, "role")
		if bad != nil {
			return Example{}, under(at, bad)
		}
		mapped, ok := openAIRoles[role]
		if !ok {
			return Example{}, rowProblem(at+".role", "unknown role %q: want system, user or assistant", role)
		}
		content, bad := openAIContent(m.get("content"), at+".content")
		if bad != nil {
			return Example{}, bad
		}
		turns = append(turns, turn{Message{Role: mapped, Content: content}, i})
	}
	msgs, bad := checkTurns(turns, "messages", "content")
	return Example{Messages: msgs}, bad
}

// openAIContent accepts a string or an array of text parts, joined as they are.
func openAIContent(v value, at string) (string, *problem) {
	switch v.kind {
	case str:
		return v.text, nil
	case array:
	default:
		return "", rowProblem(at, "want a string or an array of text parts, got %s", v.kind)
	}
	var parts []json.RawMessage
	_ = json.Unmarshal(v.raw, &parts) // cannot fail: v.raw is a JSON array
	var b strings.Builder
	for j, part := range parts {
		pat := fmt.Sprintf("%s[%d]", at, j)
		m, bad := member(part, pat)
		if bad != nil {
			return "", bad
		}
		typ, bad := need(m, "type")
		if bad != nil {
			return "", under(pat, bad)
		}
		if typ != "text" {
			return "", rowProblem(pat+".type", "content part of type %q: only text is supported", typ)
		}
		text, bad := need(m, "text")
		if bad != nil {
			return "", under(pat, bad)
		}
		b.WriteString(text)
	}
	return b.String(), nil
}

func shareGPT(r row) (Example, *problem) {
	key := "conversations"
	if r.get(key).kind == absent && r.get("messages").kind != absent {
		key = "messages"
	}
	items, bad := elements(r, key)
	if bad != nil {
		return Example{}, bad
	}
	system, bad := optional(r, "system")
	if bad != nil {
		return Example{}, bad
	}
	turns := make([]turn, 0, len(items)+1)
	if !blank(system) {
		turns = append(turns, turn{Message{Role: "system", Content: system}, -1})
	}
	for i, item := range items {
		at := fmt.Sprintf("%s[%d]", key, i)
		m, bad := member(item, at)
		if bad != nil {
			return Example{}, bad
		}
		from, bad := need(m, "from")
		if bad != nil {
			return Example{}, under(at, bad)
		}
		role, ok := shareGPTRoles[from]
		if !ok {
			return Example{}, rowProblem(at+".from", "unknown role %q: want human, gpt or system", from)
		}
		content, bad := need(m, "value")
		if bad != nil {
			return Example{}, under(at, bad)
		}
		turns = append(turns, turn{Message{Role: role, Content: content}, i})
	}
	msgs, bad := checkTurns(turns, key, "value")
	return Example{Messages: msgs}, bad
}

// elements returns the items of a required array field.
func elements(r row, name string) ([]json.RawMessage, *problem) {
	v := r.get(name)
	switch v.kind {
	case array:
	case absent:
		return nil, &problem{field: name, reason: "missing", missing: true}
	default:
		return nil, rowProblem(name, "want an array of messages, got %s", v.kind)
	}
	var items []json.RawMessage
	_ = json.Unmarshal(v.raw, &items) // cannot fail: v.raw is a JSON array
	return items, nil
}

// member decodes one array item that must be an object.
func member(raw json.RawMessage, at string) (jsonRow, *problem) {
	if k := kindOf(raw); k != object {
		return nil, rowProblem(at, "want an object, got %s", k)
	}
	var m jsonRow
	_ = json.Unmarshal(raw, &m) // cannot fail: raw is a JSON object
	return m, nil
}

// under puts a member's problem under its path in the row.
func under(at string, bad *problem) *problem {
	bad.field = at + "." + bad.field
	bad.missing = false // the row has the right shape; a member lacks a field
	return bad
}

// checkTurns enforces the conversation rules the trainer relies on: an
// optional system turn first, then user and assistant alternating, ending with
// the assistant, none of them empty. Empty system turns are dropped.
func checkTurns(turns []turn, key, content string) ([]Message, *problem) {
	msgs := make([]Message, 0, len(turns))
	prev := ""
	for _, t := range turns {
		at := "system" // ShareGPT's top-level system field
		if t.at >= 0 {
			at = fmt.Sprintf("%s[%d]", key, t.at)
		}
		switch {
		case t.Role == "system" && (prev != "" || len(msgs) > 0):
			return nil, rowProblem(at, "a system turn after the conversation started: only the first turn may be system")
		case t.Role == "system" && blank(t.Content):
			continue
		case t.Role == prev:
			return nil, rowProblem(at, "two %s turns in a row: user and assistant must alternate", t.Role)
		case t.Role == "assistant" && prev != "user":
			return nil, rowProblem(at, "the conversation starts with an assistant turn: the first turn after system must be user")
		case t.Role != "system" && blank(t.Content):
			if t.at >= 0 {
				at += "." + content
			}
			return nil, rowProblem(at, "empty %s turn", t.Role)
		}
		msgs = append(msgs, t.Message)
		prev = t.Role
	}
	switch {
	case len(msgs) == 0 || prev == "system":
		return nil, rowProblem(key, "no user or assistant turns")
	case prev != "assistant":
		return nil, rowProblem(fmt.Sprintf("%s[%d]", key, turns[len(turns)-1].at), "the last turn is %s: a conversation must end with an assistant turn", prev)
	}
	return msgs, nil
}

// list writes names for a message, at most limit of them.
func list(names []string, limit int) string {
	if len(names) == 0 {
		return "no fields"
	}
	if len(names) > limit {
		return strings.Join(names[:limit], ", ") + fmt.Sprintf(" and %d more", len(names)-limit)
	}
	return strings.Join(names, ", ")
}
