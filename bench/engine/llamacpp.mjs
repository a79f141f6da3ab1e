// llama.cpp's side of bench/engine/run.sh, through node-llama-cpp's prebuilt
// CPU binaries: time to first token (prefill of the prompt plus one token)
// and greedy decode speed on the same thread count and the same GGUF.
//   node llamacpp.mjs MODEL.gguf THREADS N PROMPT_FILE
// PROMPT_FILE holds the prompt rendered through the model's chat template
// (by the Go side: the same text on both sides).
import { readFileSync } from "node:fs";
import { getLlama } from "node-llama-cpp";

const [modelPath, threadsArg, nArg, promptFile] = process.argv.slice(2);
if (!modelPath || !promptFile) {
  console.error("usage: node llamacpp.mjs MODEL.gguf THREADS N PROMPT_FILE");
  process.exit(2);
}
const threads = Number(threadsArg), n = Number(nArg);
const prompt = readFileSync(promptFile, "utf8");

// gpu: false and build: "never": the CPU binary that ships in the package,
// never a local compile.
const llama = await getLlama({ gpu: false, build: "never", logLevel: "error" });
const model = await llama.loadModel({ modelPath });
const context = await model.createContext({ contextSize: 1024, threads, batchSize: 512 });
const sequence = context.getSequence();
// The prompt is already rendered through the model's chat template;
// specialTokens: true reads <|im_start|> and the like as the tokens they are.
const tokens = model.tokenize(prompt, true);

const start = performance.now();
let ttft = 0, count = 0;
// Greedy (temperature 0); the generator does not stop at EOS, so every
// run makes n tokens as Hone's side does.
for await (const _ of sequence.evaluate(tokens, { temperature: 0 })) {
  count++;
  if (count === 1) ttft = performance.now() - start;
  if (count === n) break;
}
const rest = (performance.now() - start - ttft) / 1000;
console.log(`llama.cpp decode: threads ${threads}, prompt ${tokens.length} tokens, time to first token ${ttft.toFixed(1)} ms, ` +
  `decode ${((count - 1) / rest).toFixed(1)} tokens/s (${count - 1} tokens)`);
await context.dispose();
await model.dispose();
await llama.dispose();
