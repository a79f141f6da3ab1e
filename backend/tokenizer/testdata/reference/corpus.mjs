// Deterministic conformance corpus for Hone's tokenizers: hand-picked edge
// cases plus seeded random mixtures of many kinds of text.

// mulberry32: a small seeded PRNG, so the corpus is the same on every run.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const fixed = [
  "",
  "Hello world, this is a test.",
  "Hello",
  " Hello",
  "  Hello",
  "Hello ",
  "Hello  ",
  " ",
  "  ",
  "\n",
  "\n\n",
  "\r\n",
  "\t",
  " \n \n ",
  "a\n\n\nb",
  "a  \n  b",
  "a \t\n b",
  "I'm sure it's fine, they're here, we've been, you'll see, he'd go, don't.",
  "I'M SURE IT'S FINE, THEY'RE HERE, WE'VE BEEN, YOU'LL SEE, HE'D GO, DON'T.",
  "'s 't 're 've 'm 'll 'd",
  "'S 'T 'RE 'VE 'M 'LL 'D",
  "rock 'n' roll, 'quoted', ''double''",
  "<|begin_of_text|>Hello<|end_of_text|>",
  "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>",
  "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n",
  "<|im_start|>assistant\n<think>\nhmm\n</think>\n\nAnswer<|im_end|>",
  "<tool_call>\n{\"name\": \"f\", \"arguments\": {}}\n</tool_call>",
  "<s>[INST] Hello [/INST] Hi</s>",
  "[INST]Hello[/INST]",
  "</s></s><s><unk>",
  "a</s>b",
  " <s> ",
  "<|endoftext|>",
  "<|im_", "<|im_end", "<|reserved_special_token_5|>", "<|reserved_special_token_999|>",
  "<|fim_prefix|>def f():<|fim_suffix|>\n<|fim_middle|>",
  "0", "1", "12", "123", "1234", "12345", "123456", "1234567", "12345678901234567890",
  "3.14159", "-42", "1,000,000", "1e-10", "0x1F", "v1.2.3", "2024-01-15T12:30:00Z",
  "٣٤٥", "໑໒໓", "①②③", "½ ¾", "Ⅻ",
  "café", "cafe\u0301", "Ångström", "A\u030angstro\u0308m", "naïve résumé", "ﬁ ﬂ ﬀ",
  "Здравствуйте, мир!", "Γειά σου Κόσμε", "שלום עולם", "مرحبا بالعالم", "नमस्ते दुनिया", "สวัสดีชาวโลก",
  "你好，世界！", "こんにちは世界", "안녕하세요 세계", "漢字かなカナ交じり文", "ｶﾀｶﾅ ＡＢＣ １２３",
  "😀", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇫🇷🇯🇵", "❤️", "✊🏿", "🧑🏻‍💻", "👩🏾‍🚀 in 🚀",
  "e\u0301\u0302\u0303", "Z\u0351\u0352\u0353a\u0354\u0355l\u0356g\u0357o\u0358",
  "zero\u200bwidth\u200cjoin\u200d", "non\u00a0breaking", "ideo\u3000space", "line\u2028sep", "next\u0085line", "\ufeffbom",
  "tab\tseparated\tvalues\n1\t2\t3",
  "    indented code\n        more",
  "def f(x):\n    return x * 2\n",
  "func main() {\n\tfmt.Println(\"hi\")\n}\n",
  "for (let i = 0; i < 10; i++) { console.log(i); }",
  "SELECT id, name FROM users WHERE age >= 18 ORDER BY name;",
  "https://example.com/path?q=1&r=two#frag",
  "user.name+tag@example.co.uk",
  "{\"key\": [1, 2.5, true, null], \"nested\": {\"a\": \"b\"}}",
  "# Title\n\n- item *one*\n- item **two**\n\n```go\nx := 1\n```\n",
  "!!!???...,,,;;;",
  "$$$ %%% ^^^ &&& *** ((( )))",
  "~`@#|\\/<>",
  "\u0000\u0001\u001f\u007f",
  "a".repeat(300),
  " ".repeat(64) + "x",
  "\n".repeat(40),
  "ab ".repeat(200),
];

const words = (
  "the quick brown fox jumps over lazy dog and a of to in is you that it he was for on are as with his they " +
  "at be this have from or one had by word but not what all were we when your can said there use an each which she " +
  "do how their if will up other about out many then them these so some her would make like him into time has look " +
  "two more write go see number no way could people my than first water been call who oil its now find long down day " +
  "did get come made may part tokenizer embedding gradient transformer attention layer optimizer checkpoint"
).split(" ");
const contractions = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "n't", "'S", "'T", "'RE", "'VE", "'M", "'LL", "'D"];
const punct = [".", ",", "!", "?", ";", ":", "...", " -", " —", "\"", "'", "(", ")", "[", "]", "{", "}", "/", "…", "«", "»", "¿", "¡"];
const scripts = [
  "Здравствуйте", "мир", "Γειά", "Κόσμε", "שלום", "עולם", "مرحبا", "بالعالم", "नमस्ते", "दुनिया", "สวัสดี", "ชาวโลก",
  "你好", "世界", "中文分词", "机器学习", "こんにちは", "世界", "トークナイザー", "안녕하세요", "세계", "ภาษาไทย", "Tiếng Việt",
  "Ελληνικά", "ქართული", "Հայերեն", "தமிழ்", "తెలుగు", "ಕನ್ನಡ", "বাংলা", "ગુજરાતી", "ਪੰਜਾਬੀ", "മലയാളം", "සිංහල", "ខ្មែរ", "ລາວ",
  "Ἀθῆναι", "ﬁnance", "straße", "İstanbul", "ǅungla", "Ǆ", "ß", "Æsir", "Øre", "Łódź", "Žluťoučký", "Ḁḁ",
];
const emoji = [
  "😀", "😂", "🥲", "🤖", "🔥", "✨", "🎉", "👍", "👍🏻", "👍🏼", "👍🏽", "👍🏾", "👍🏿", "👨‍👩‍👧‍👦", "👩‍❤️‍👨", "🧑‍🤝‍🧑",
  "🏳️‍🌈", "🏴‍☠️", "🇺🇸", "🇩🇪", "🇨🇳", "❤️", "☺️", "✌🏽", "🫶🏾", "🐈‍⬛", "🧔🏻‍♂️", "👩🏽‍🔬", "1️⃣", "#️⃣", "©️", "™",
  "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "𝐁𝐨𝐥𝐝", "𓀀", "🀄", "🂡",
];
const code = [
  "def tokenize(text: str) -> list[int]:\n    return [ord(c) for c in text]\n",
  "class Foo(Bar):\n    def __init__(self, x=None):\n        super().__init__()\n        self.x = x or {}\n",
  "if err != nil {\n\treturn fmt.Errorf(\"open %s: %w\", path, err)\n}\n",
  "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(\"Hello, 世界\")\n}\n",
  "const add = (a, b) => a + b;\nexport default { add };\n",
  "fn main() {\n    let v: Vec<u32> = (0..10).map(|x| x * x).collect();\n    println!(\"{:?}\", v);\n}\n",
  "#include <stdio.h>\nint main(void) { printf(\"%d\\n\", 42); return 0; }\n",
  "SELECT u.id, COUNT(*) AS n FROM users u JOIN orders o ON o.user_id = u.id GROUP BY u.id HAVING n > 3;",
  "for f in *.txt; do\n  wc -l \"$f\" | awk '{print $1}'\ndone\n",
  "<div class=\"card\"><a href=\"/x?y=1&amp;z=2\">link</a></div>",
  "key: value\nlist:\n  - one\n  - two\nnested:\n  a: 1\n",
  "{\"model\": \"llama\", \"layers\": 32, \"rope_theta\": 500000.0, \"tie\": false}",
  "x = [i**2 for i in range(10) if i % 2 == 0]  # squares",
  "public static void main(String[] args) { System.out.println(args.length); }",
  "    \t  mixed indentation\n\t    here\n",
  "a := map[string][]int{\"x\": {1, 2}, \"y\": nil}",
  "/* comment */ // line comment\n/** doc */",
  "λx.λy.x y  ∀x∈ℝ: x² ≥ 0  ∑_{i=1}^{n} i = n(n+1)/2",
];
const specials = [
  "<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>",
  "<|reserved_special_token_0|>", "<|im_start|>", "<|im_end|>", "<|endoftext|>", "<think>", "</think>",
  "<tool_call>", "</tool_call>", "<s>", "</s>", "<unk>", "[INST]", "[/INST]", "<<SYS>>", "<</SYS>>",
];
const spaces = [" ", "  ", "   ", "    ", "\t", "\t\t", "\n", "\n\n", "\n\n\n", "\r\n", " \n", "\n ", " \t ", "\u00a0", "\u3000", "  \n\n  "];

export function corpus(count = 2400) {
  const r = rng(20240611);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const int = (lo, hi) => lo + Math.floor(r() * (hi - lo + 1));

  const number = () => {
    switch (int(0, 6)) {
      case 0: return String(int(0, 9));
      case 1: return Array.from({ length: int(1, 24) }, () => int(0, 9)).join("");
      case 2: return `${int(0, 999)}.${int(0, 99999)}`;
      case 3: return `-${int(1, 99999)}`;
      case 4: return int(1, 999999999).toLocaleString("en-US");
      case 5: return `${int(1, 9)}e${int(-30, 30)}`;
      default: return `+1 (${int(100, 999)}) ${int(100, 999)}-${int(1000, 9999)}`;
    }
  };
  const sentence = () => {
    const n = int(3, 18);
    let s = "";
    for (let i = 0; i < n; i++) {
      let w = pick(words);
      if (r() < 0.15) w = w[0].toUpperCase() + w.slice(1);
      if (r() < 0.05) w = w.toUpperCase();
      if (r() < 0.1) w += pick(contractions);
      s += (i ? " " : "") + w;
      if (r() < 0.12) s += pick(punct);
      if (r() < 0.05) s += " " + number();
    }
    return s + pick([".", "!", "?", "", "\n"]);
  };
  const unicodeWord = () => {
    const blocks = [[0x00c0, 0x024f], [0x0370, 0x03ff], [0x0400, 0x04ff], [0x0590, 0x05ea], [0x0620, 0x064a],
      [0x0900, 0x0939], [0x0e01, 0x0e30], [0x3041, 0x3096], [0x30a1, 0x30fa], [0x4e00, 0x9fa5], [0xac00, 0xd7a3],
      [0x2200, 0x22ff], [0x2500, 0x257f], [0x1f600, 0x1f64f], [0x1f300, 0x1f5ff]];
    const [lo, hi] = pick(blocks);
    return Array.from({ length: int(1, 8) }, () => String.fromCodePoint(int(lo, hi))).join("");
  };
  const fragment = () => {
    switch (int(0, 9)) {
      case 0: return sentence();
      case 1: return pick(scripts) + pick([" ", "", "，", "。", ", "]) + pick(scripts);
      case 2: return pick(emoji) + (r() < 0.5 ? pick(emoji) : " ") + pick(emoji);
      case 3: return pick(code);
      case 4: return pick(specials);
      case 5: return number();
      case 6: return pick(spaces);
      case 7: return unicodeWord();
      case 8: return `https://${pick(words)}.${pick(["com", "org", "io", "de"])}/${pick(words)}/${int(1, 9999)}?${pick(words)}=${pick(words)}`;
      default: return pick(punct) + pick(punct) + pick(words);
    }
  };

  const out = [...fixed];
  while (out.length < count) {
    let s = "";
    const parts = int(1, 6);
    for (let i = 0; i < parts; i++) {
      s += fragment();
      if (r() < 0.6) s += pick(spaces.concat([" ", " ", " ", ""]));
    }
    if (r() < 0.1) s = pick(spaces) + s;
    if (r() < 0.1) s += pick(spaces);
    out.push(s);
  }
  return out;
}
