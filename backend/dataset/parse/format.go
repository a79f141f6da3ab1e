package parse

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Header names that say what a column holds, most telling first.
var (
	promptNames   = []string{"prompt", "instruction", "question", "input", "text", "sms", "message", "query", "sentence", "utterance"}
	responseNames = []string{"response", "output", "answer", "completion", "reply"}
	systemNames   = []string{"system", "system_prompt"}
	labelNames    = []string{"label", "category", "intent", "class", "target", "sentiment"}
)

// mapColumns assigns columns by their names, ignoring case and surrounding space.
func mapColumns(names []string) Columns {
	var c Columns
	taken := map[string]bool{}
	pick := func(wanted []string) string {
		for _, w := range wanted {
			for _, n := range names {
				if !taken[n] && strings.EqualFold(strings.TrimSpace(n), w) {
					taken[n] = true
					return n
				}
			}
		}
		return ""
	}
	// Labels first: "text" is a prompt name but "target" must stay a label.
	c.Label = pick(labelNames)
	c.Response = pick(responseNames)
	c.Prompt = pick(promptNames)
	c.System = pick(systemNames)
	return c
}

// shapeOf says which format one row has, from its field names.
func shapeOf(r row) (Format, Columns) {
	names := r.names()
	has := func(n string) bool { return slices.Contains(names, n) }
	switch {
	case has("conversations"):
		return ShareGPT, Columns{}
	case has("messages"):
		if items, bad := elements(r, "messages"); bad == nil && len(items) > 0 {
			if m, bad := member(items[0], ""); bad == nil && m.get("role").kind == absent && m.get("from").kind != absent {
				return ShareGPT, Columns{}
			}
		}
		return OpenAI, Columns{}
	case has("instruction") && has("output"):
		return Alpaca, Columns{}
	case has("prompt") && has("completion"):
		return PromptCompletion, Columns{}
	}
	c := mapColumns(names)
	switch {
	case c.Prompt != "" && (c.Response != "" || c.Label != ""):
		return Table, c
	case strings.EqualFold(strings.TrimSpace(c.Prompt), "text"):
		return Text, Columns{Prompt: c.Prompt}
	}
	return "", Columns{}
}

// vote picks the shape most of the sample rows have; odd rows become row errors.
func vote(rows []row) (Format, Columns, int) {
	type shape struct {
		f Format
		c Columns
	}
	var order []shape
	count := map[shape]int{}
	for _, r := range rows {
		f, c := shapeOf(r)
		if f == "" {
			continue
		}
		s := shape{f, c}
		if count[s] == 0 {
			order = append(order, s)
		}
		count[s]++
	}
	var best shape
	for _, s := range order {
		if count[s] > count[best] {
			best = s
		}
	}
	return best.f, best.c, count[best]
}

// chooseFormat settles Format and Columns from the options and the sample;
// names are the columns of a table (nil for JSON).
func (p *plan) chooseFormat(sample []record, names []string, opts Options) error {
	var rows []row
	for _, rec := range sample {
		if rec.bad == nil {
			rows = append(rows, rec.row)
		}
	}
	if len(rows) == 0 {
		if len(sample) == 0 {
			return p.fail("%s", map[Container]string{JSON: "the JSON array is empty", CSV: "a header row and no data", Parquet: "a Parquet file with no rows"}[p.Container])
		}
		b := sample[0]
		re := RowError{File: p.path, Line: b.line, Field: b.bad.field, Reason: b.bad.reason}
		return p.fail("no usable row among the first %d: %s", len(sample), strings.TrimPrefix(re.Error(), p.path+" "))
	}
	f, c := opts.Format, opts.Columns
	p.reason = "the format was given"
	switch {
	case f == "" && c == (Columns{}):
		var n int
		f, c, n = vote(rows)
		p.reason = fmt.Sprintf("%d of the first %d rows have that shape", n, len(sample))
		if f == "" && names != nil {
			c = guessColumns(names, rows)
			f = Table
			p.reason = "the columns were guessed from their values"
		}
	case f == "":
		f = Table
		if c.Response == "" && c.Label == "" {
			f = Text
		}
	case (f == Table || f == Text) && c == (Columns{}):
		if vf, vc, _ := vote(rows); vf == f {
			c = vc
		} else if f == Table && names != nil {
			c = guessColumns(names, rows)
		}
	}
	if f == Text && c.Prompt == "" {
		c.Prompt = "text"
	}
	if names != nil {
		var err error
		if c, err = p.resolve(c, names); err != nil {
			return err
		}
	}
	switch {
	case f == Table && (c.Prompt == "" || c.Response == "" && c.Label == ""):
		return p.noShape(rows, names)
	case f == "":
		return p.noShape(rows, names)
	}
	p.Format, p.Columns = f, c
	return nil
}

// resolve checks that the named columns exist, matching case-insensitively.
func (p *plan) resolve(c Columns, names []string) (Columns, error) {
	for _, col := range []*string{&c.Prompt, &c.Response, &c.System, &c.Label} {
		if *col == "" || slices.Contains(names, *col) {
			continue
		}
		i := slices.IndexFunc(names, func(n string) bool { return strings.EqualFold(strings.TrimSpace(n), strings.TrimSpace(*col)) })
		if i < 0 {
			return c, p.fail("no column %q: the columns are %s", *col, list(names, 20))
		}
		*col = names[i]
	}
	return c, nil
}

func (p *plan) noShape(rows []row, names []string) error {
	const want = "name a prompt column (prompt, instruction, question, input, text, ...) and a response (response, output, answer, completion) or label (label, category, intent, class, target) column, or choose the columns by hand"
	switch p.Container {
	case CSV:
		return p.fail("the columns %s match no known shape: %s", list(names, 20), want)
	case Parquet:
		return p.fail("Parquet: no usable columns among %s: %s", p.described, want)
	}
	var seen []string
	for _, r := range rows {
		for _, n := range r.names() {
			if !slices.Contains(seen, n) {
				seen = append(seen, n)
			}
		}
	}
	slices.Sort(seen)
	if len(seen) > 0 && !slices.ContainsFunc(seen, func(n string) bool { return !slices.Contains([]string{"role", "content", "name", "from", "value"}, n) }) {
		return p.fail("each row is a single chat message (keys %s): a row must be a whole conversation, such as {\"messages\": [{\"role\": ..., \"content\": ...}, ...]}", list(seen, 12))
	}
	return p.fail("the first rows match no known shape: they have keys %s; known shapes are alpaca {instruction, input?, output}, sharegpt {conversations: [{from, value}]}, openai {messages: [{role, content}]}, prompt-completion {prompt, completion}, text {text}, and a table with a prompt column and a response or label column", list(seen, 12))
}

// guessColumns maps table columns whose names say nothing (a headerless CSV):
// a column of few distinct short values is the label (ham/spam), the first
// other column the prompt, the next one the response.
func guessColumns(names []string, rows []row) Columns {
	var c Columns
	var rest []string
	for _, name := range names {
		distinct := map[string]bool{}
		short, n := true, 0
		for _, r := range rows {
			v := r.get(name)
			if v.kind != str && v.kind != number && v.kind != boolean {
				continue
			}
			n++
			distinct[v.text] = true
			short = short && len(v.text) <= 64 && !strings.ContainsRune(v.text, '\n')
		}
		switch {
		case n == 0: // not a flat column
		case c.Label == "" && n >= 2 && short && len(distinct)*2 <= n:
			c.Label = name
		default:
			rest = append(rest, name)
		}
	}
	if len(rest) > 0 {
		c.Prompt = rest[0]
	}
	if len(rest) > 1 {
		c.Response = rest[1]
	}
	return c
}

func (p *plan) formatWhy() string {
	var what string
	c := p.Columns
	switch p.Format {
	case Alpaca:
		what = "Alpaca rows (instruction, input, output)"
	case ShareGPT:
		what = "ShareGPT conversations"
	case OpenAI:
		what = "OpenAI chat messages"
	case PromptCompletion:
		what = "prompt/completion pairs"
	case Text:
		what = fmt.Sprintf("plain text in %q", cmp.Or(c.Prompt, "text"))
	case Table:
		parts := []string{fmt.Sprintf("prompt %q", c.Prompt)}
		if c.Response != "" {
			parts = append(parts, fmt.Sprintf("response %q", c.Response))
		}
		if c.Label != "" {
			parts = append(parts, fmt.Sprintf("label %q", c.Label))
		}
		if c.System != "" {
			parts = append(parts, fmt.Sprintf("system %q", c.System))
		}
		what = "a table with " + strings.Join(parts, ", ")
		if c.Response == "" {
			what += " (the label is the answer)"
		}
	}
	return fmt.Sprintf("%s, as %s", what, p.reason)
}
