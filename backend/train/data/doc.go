// Package data turns a dataset's examples into what the trainer consumes:
// token sequences with a loss mask (Encoder), a seeded order per epoch
// (Order), and packed micro-batches for the engine that can be resumed
// exactly from a checkpointed cursor (Packer).
//
// # What counts as a target
//
// A conversation is rendered with the model's own chat template, and by
// default only the assistant turns are targets: for each one, every token
// from the end of the generation prompt (the text the template writes for
// add_generation_prompt, such as "<|im_start|>assistant\n") to the turn's
// end-of-turn token inclusive ("<|im_end|>", "<|eot_id|>", "</s>",
// "<end_of_turn>": the first special token the template writes after the
// turn's content). That is what the model must generate, stop included.
// The text a template writes after the end-of-turn token ("\n" in ChatML)
// is not a target: generation stops at the end-of-turn token, so the model
// never produces it; it stays in the sequence as context for the next turn.
// Tokens after the last target are cut, since they predict nothing. When
// the template writes more than the content after the generation prompt
// (Qwen3's empty "<think>\n\n</think>\n\n" on the last turn), that text is
// part of the target, as it is what the model generates from that prompt.
//
// Spans are found by rendering, per assistant turn, the conversation before
// it with add_generation_prompt and the conversation through it, and
// checking both against the whole conversation's rendering; a template that
// renders a turn otherwise once later turns follow (Qwen3 drops reasoning
// and the think block from earlier turns; Mistral-Nemo writes the system
// prompt into the last user turn only) is handled by locating the turn's
// content in the whole rendering itself (Encoder.locate in spans.go). A
// template error (Gemma 2 refuses system turns) fails the example. The rendering is then tokenised segment by
// segment (prompt, answer, prompt, ...), as LLaMA-Factory encodes prompt
// and response separately, so that a target never starts inside a token
// that merges prompt and answer, and the prompt's tokens are those a
// generation from that prompt starts from.
//
// A plain-text example (Example.Text) is the tokenizer's own special tokens
// (BOS) around the text, then EOS; every token is a target. A model without
// a chat template (a base model) gets a plain format: BOS, then per turn the
// user (or system) text and a newline, or the assistant's answer followed
// by EOS; the answers and their EOS are the targets (Encoder.HasTemplate
// reports false, for the trainer to warn). Options.AllTokens makes every
// token a target in every case.
//
// Token 0 of a sequence is never a target (nothing predicts it).
package data
