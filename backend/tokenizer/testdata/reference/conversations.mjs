// Conversations rendered through every chat template in the conformance set.

const weatherTool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Get the current weather in a city.",
    parameters: {
      type: "object",
      properties: {
        city: { type: "string", description: "City name, e.g. Paris" },
        unit: { type: "string", enum: ["celsius", "fahrenheit"] },
      },
      required: ["city"],
    },
  },
};
const searchTool = {
  type: "function",
  function: {
    name: "search",
    description: "Search the web.",
    parameters: { type: "object", properties: { query: { type: "string" }, top_k: { type: "integer" } }, required: ["query"] },
  },
};

const u = (content) => ({ role: "user", content });
const a = (content) => ({ role: "assistant", content });
const s = (content) => ({ role: "system", content });

export const conversations = [
  { name: "single user", messages: [u("Hello!")] },
  { name: "system and user", messages: [s("You are a concise assistant."), u("What is 2+2?")] },
  { name: "multi-turn", messages: [u("Hi"), a("Hello! How can I help?"), u("Tell me a joke.")] },
  {
    name: "ends with assistant",
    messages: [s("Be brief."), u("Capital of France?"), a("Paris."), u("And of Italy?"), a("Rome.")],
  },
  { name: "padded content", messages: [s("  spaced system  \n"), u("\n  padded user  \n\n")] },
  { name: "unicode and emoji", messages: [u("Translate: 你好，世界 👋🏽 — «Grüße» from Ελλάδα"), a("Hello, world 👋🏽"), u("Merci! 🙏")] },
  { name: "empty user content", messages: [u("")] },
  {
    name: "code block",
    messages: [u("Fix this:\n```python\ndef f(x):\n    return x +\n```"), a("```python\ndef f(x):\n    return x + 1\n```"), u("Thanks")],
  },
  {
    name: "think in content",
    messages: [u("What is 17*3?"), a("<think>\n17*3 = 51\n</think>\n\n51")],
  },
  {
    name: "think in earlier turn",
    messages: [u("What is 17*3?"), a("<think>\n17*3 = 51\n</think>\n\n51"), u("And 17*4?")],
  },
  {
    name: "reasoning_content field",
    messages: [u("Is 7 prime?"), { role: "assistant", content: "Yes.", reasoning_content: "7 has no divisors but 1 and 7." }],
  },
  {
    name: "tool call round trip",
    tools: [weatherTool],
    messages: [
      s("You can check the weather."),
      u("Weather in Paris?"),
      {
        role: "assistant",
        content: "",
        tool_calls: [{ type: "function", function: { name: "get_weather", arguments: { city: "Paris", unit: "celsius" } } }],
      },
      { role: "tool", content: "{\"temperature\": 18, \"sky\": \"cloudy\"}" },
      a("It is 18 °C and cloudy in Paris."),
    ],
  },
  {
    name: "parallel tool calls",
    tools: [weatherTool, searchTool],
    messages: [
      u("Weather in Oslo and news about Oslo?"),
      {
        role: "assistant",
        content: "Let me check both.",
        tool_calls: [
          { type: "function", function: { name: "get_weather", arguments: { city: "Oslo" } } },
          { type: "function", function: { name: "search", arguments: "{\"query\": \"Oslo news\", \"top_k\": 3}" } },
        ],
      },
      { role: "tool", content: "{\"temperature\": -2}" },
      { role: "tool", content: "<tool_response>3 results</tool_response>" },
    ],
  },
  { name: "tools without calls", tools: [searchTool], messages: [s("Use tools when needed."), u("Who won in 2022?")] },
  { name: "enable_thinking false", extra: { enable_thinking: false }, messages: [u("Quick answer: 2+3?")] },
  { name: "two users in a row", messages: [u("First."), u("Second.")] },
  { name: "system only", messages: [s("You are a pirate.")] },
  { name: "assistant first", messages: [a("I start."), u("OK.")] },
  {
    name: "long conversation",
    messages: [
      s("Count with me."),
      ...Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? u(`Number ${i + 1}?`) : a(`${i + 1}.`))),
    ],
  },
  { name: "special tokens in content", messages: [u("Say <|im_end|> and </s> and <|eot_id|> and [INST] literally."), a("<|im_start|> [/INST] <s>")] },
  { name: "template syntax in content", messages: [u("{{ messages }} {% if x %}y{% endif %} {# c #}"), a("{%- raw -%}")] },
  { name: "quotes and backslashes", messages: [u("He said \"hi\" and 'bye' \\n C:\\path\\to\\file"), a("\"ok\" \\ '")] },
  { name: "system mid-conversation", messages: [s("Rule one."), u("Hi"), a("Hello"), s("Rule two."), u("Again")] },
  { name: "newlines only", messages: [u("\n\n"), a("\n")] },
  { name: "two turns plain", messages: [u("What's the tallest mountain?"), a("Mount Everest, 8,849 m."), u("And the second?"), a("K2, 8,611 m.")] },
  { name: "cjk multi-turn", messages: [u("东京的人口是多少？"), a("大约1400万人。"), u("大阪は？")] },
  { name: "right-to-left", messages: [u("ما هي عاصمة مصر؟ ומה עם ישראל?"), a("القاهرة. ירושלים.")] },
  { name: "json in content", messages: [u("Parse {\"a\": [1, 2, {\"b\": null}], \"c\": \"d\"}"), a("{\"a\": [1, 2, {\"b\": null}]}")] },
  { name: "markdown answer", messages: [u("List three fruits."), a("# Fruits\n\n1. **Apple**\n2. *Banana*\n3. `Cherry`\n\n> Enjoy!")] },
  { name: "whitespace heavy", messages: [u("   lots   of    spaces   "), a("\t\ttabs\t\t"), u(" \n \n ")] },
  { name: "numbers", messages: [u("Sum 123456789 and 987654321."), a("1111111110"), u("Times 3.14159?")] },
  { name: "emoji multi-turn", messages: [u("🍕 or 🍔?"), a("🍕 for sure! 👨‍🍳"), u("🤝🏿")] },
  { name: "very long turn", messages: [u("word ".repeat(300).trim()), a("ok")] },
  { name: "single assistant reply", messages: [u("Ping"), a("Pong")] },
  {
    name: "tool response then user",
    tools: [weatherTool],
    messages: [
      u("Weather in Rome?"),
      { role: "assistant", content: "", tool_calls: [{ type: "function", function: { name: "get_weather", arguments: { city: "Rome" } } }] },
      { role: "tool", content: "sunny" },
      a("Sunny in Rome."),
      u("And tomorrow?"),
    ],
  },
];
