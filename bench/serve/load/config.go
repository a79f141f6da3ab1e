package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// config is one run's settings, from the command line.
type config struct {
	url, token, label string
	models, prompts   []string
	concurrency       int
	requests          int
	duration          time.Duration
	timeout           time.Duration
	wait              time.Duration
	maxTokens         int
	seed              int64
	temperature       float64
	chat              bool
	extra             map[string]any
	verify, json      bool
}

func parseConfig(args []string, stderr io.Writer) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.url, "url", "http://127.0.0.1:8080/v1", "server base URL; /chat/completions or /completions is appended")
	fs.StringVar(&c.token, "token", "", "bearer token")
	fs.StringVar(&c.label, "label", "", "a name printed before the figures")
	models := fs.String("models", "", "comma-separated model names; requests take them in turn (default: the first model GET /models lists)")
	prompt := fs.String("prompt", "What is the capital of France?", "the prompt (the user turn with -chat)")
	promptFile := fs.String("prompt-file", "", "file whose whole text is the prompt (newlines kept: a prompt already rendered through a chat template, with -chat=false)")
	promptsFile := fs.String("prompts", "", "file of prompts, one a line (a line in double quotes is a JSON string, for prompts with newlines); requests take them in turn")
	fs.IntVar(&c.concurrency, "concurrency", 1, "streams in flight at once")
	fs.IntVar(&c.requests, "requests", 0, "requests in all (default 4 x concurrency unless -duration)")
	fs.DurationVar(&c.duration, "duration", 0, "start requests until this much time has passed")
	fs.DurationVar(&c.timeout, "timeout", 10*time.Minute, "limit for one request")
	fs.DurationVar(&c.wait, "wait", 0, "first wait up to this long for GET /models to answer 200 (a server still loading)")
	fs.IntVar(&c.maxTokens, "max-tokens", 128, "max_tokens of each request")
	fs.Int64Var(&c.seed, "seed", 1, "seed of each request")
	fs.Float64Var(&c.temperature, "temperature", 0, "sampling temperature (0: greedy)")
	fs.BoolVar(&c.chat, "chat", true, "use /chat/completions; -chat=false uses /completions with the prompt as is")
	extra := fs.String("extra", "", `JSON object merged into each request body, e.g. '{"cache_prompt":false}'`)
	fs.BoolVar(&c.verify, "verify", false, "run each distinct request alone first and check the answers under load match")
	fs.BoolVar(&c.json, "json", false, "print the summary as JSON")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if err := c.fill(*models, *prompt, *promptFile, *promptsFile, *extra); err != nil {
		return nil, err
	}
	return c, nil
}

// fill checks the flags and derives the lists and defaults from them.
// No model names leaves c.models empty: run asks the server.
func (c *config) fill(models, prompt, promptFile, promptsFile, extra string) error {
	for _, m := range strings.Split(models, ",") {
		if m = strings.TrimSpace(m); m != "" {
			c.models = append(c.models, m)
		}
	}
	c.prompts = []string{prompt}
	switch {
	case promptFile != "" && promptsFile != "":
		return errors.New("-prompt-file and -prompts: give one")
	case promptFile != "":
		raw, err := os.ReadFile(promptFile)
		if err != nil {
			return fmt.Errorf("reading the prompt: %w", err)
		}
		c.prompts = []string{string(raw)}
	case promptsFile != "":
		var err error
		if c.prompts, err = readPrompts(promptsFile); err != nil {
			return err
		}
	}
	if c.concurrency < 1 || c.requests < 0 || c.duration < 0 || c.maxTokens < 1 {
		return errors.New("-concurrency and -max-tokens must be positive, -requests and -duration not negative")
	}
	if c.requests == 0 && c.duration == 0 {
		c.requests = 4 * c.concurrency
	}
	if extra != "" {
		if err := json.Unmarshal([]byte(extra), &c.extra); err != nil {
			return fmt.Errorf("-extra: %w", err)
		}
	}
	return nil
}

// readPrompts reads one prompt a non-empty line; a line that starts with a
// double quote is decoded as a JSON string.
func readPrompts(path string) ([]string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading prompts: %w", err)
	}
	var prompts []string
	for i, line := range strings.Split(string(raw), "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		if strings.HasPrefix(line, `"`) {
			var s string
			if err := json.Unmarshal([]byte(line), &s); err != nil {
				return nil, fmt.Errorf("%s line %d: %w", path, i+1, err)
			}
			line = s
		}
		prompts = append(prompts, line)
	}
	if len(prompts) == 0 {
		return nil, fmt.Errorf("%s has no prompt", path)
	}
	return prompts, nil
}

// jobAt is the i-th request: models and prompts each taken in turn.
func (c *config) jobAt(i int) job {
	return job{model: c.models[i%len(c.models)], prompt: c.prompts[i%len(c.prompts)]}
}

// distinctJobs lists every (model, prompt) the load can send, in first-use
// order: the pairs repeat after lcm(len(models), len(prompts)) requests.
func (c *config) distinctJobs() []job {
	n := lcm(len(c.models), len(c.prompts))
	if c.requests > 0 {
		n = min(n, c.requests)
	}
	jobs := make([]job, n)
	for i := range jobs {
		jobs[i] = c.jobAt(i)
	}
	return jobs
}

func lcm(a, b int) int {
	x, y := a, b
	for y != 0 {
		x, y = y, x%y
	}
	return a / x * b
}
