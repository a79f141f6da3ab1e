// Package openai serves an infer.Generator over OpenAI's HTTP API, as
// OpenAI's own service and vLLM's server answer it, so that the official
// SDKs (Python, Node, Go) and anything built on them talk to `hone serve`
// unchanged; Client is the other end, an infer.Generator over HTTP, which
// the window's chat uses to reach a child `hone serve`.
//
// Endpoints (JSON field names are OpenAI's):
//
//	GET    /v1/models               the base model and every resident adapter
//	GET    /v1/models/{id}          one of them
//	POST   /v1/chat/completions     chat, streamed (server-sent events) or not
//	POST   /v1/completions          raw completion, streamed or not
//	POST   /v1/adapters             Hone: load an adapter, {"name": "...", "path": "/dir"}
//	DELETE /v1/adapters/{name}      Hone: unload it
//
// The "model" of a request is an adapter's name or the base model's id; an
// empty or missing model means the base, as vLLM's server treats it. Besides
// OpenAI's sampling fields the completions endpoints take vLLM's top_k, min_p
// and repetition_penalty, and stream_options.continuous_usage_stats (usage on
// every chunk, as vLLM sends it), which Client uses to count tokens per event.
//
// Hone's extensions to the answers (SDKs ignore unknown fields):
//   - a model object carries vLLM's "max_model_len" (the context length,
//     which Client.ContextLength reads from the base's entry), "root" (the
//     model's or adapter's folder) and, for an adapter, "parent" (the
//     base's id);
//   - a non-streamed completion, and the chunk of a stream that carries the
//     finish_reason, carry "hone": {"seed", "ttft_ms", "tokens_per_second"}:
//     the seed a seedless request drew, so a reply can be reproduced.
//
// Errors are always {"error": {"message", "type", "param", "code"}} with
// OpenAI's status codes; an error after a stream has started is sent as a
// data event holding that object, then [DONE], as vLLM does.
//
// Security. With no token the server must listen on loopback only
// (CheckBind), and it then also refuses requests whose Host header is not a
// loopback name: without that, any web page could point a DNS name at
// 127.0.0.1 (DNS rebinding) and read the server as its own origin. POST
// bodies must be application/json: a web page can send a "simple" cross-site
// POST (form or text/plain) without asking first, but a JSON one only after
// a CORS preflight. For the same reason preflights are answered (with
// Access-Control-Allow-Origin *) only when a token is set: then a page gets
// nothing without the token, while with no token CORS would let every site
// the user visits read the local server. A browser UI therefore needs a
// token.
package openai
