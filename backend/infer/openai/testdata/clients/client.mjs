// The official OpenAI Node SDK against a Hone server: lists the models,
// then for each model in HONE_TEST_MODELS (comma-separated, the base
// first) runs a chat completion whole and streamed, and a text completion
// whole and streamed, greedy and seeded, so whole and streamed text must
// match; then checks that an unknown model is the SDK's NotFoundError and
// a bad field its BadRequestError. Prints a JSON summary; exits 1 on any
// failed check. Reads OPENAI_BASE_URL and OPENAI_API_KEY, as the SDK does.
import OpenAI, { NotFoundError, BadRequestError } from 'openai';
import { VERSION } from 'openai/version';

const models = (process.env.HONE_TEST_MODELS ?? '').split(',').filter(Boolean);
const client = new OpenAI({ maxRetries: 0 });
const failures = [];
const check = (ok, what) => { if (!ok) failures.push(what); };
const sampling = { temperature: 0, seed: 1234, max_tokens: 24 };
const messages = [
  { role: 'system', content: 'You are brief.' },
  { role: 'user', content: 'Say hello to the tester.' },
];
const prompt = 'The capital of France is';

async function chat(model) {
  const whole = await client.chat.completions.create({ model, messages, ...sampling });
  const stream = await client.chat.completions.create({
    model, messages, ...sampling, stream: true, stream_options: { include_usage: true },
  });
  let text = '', finish = null, usage = null, role = null;
  for await (const chunk of stream) {
    for (const c of chunk.choices) {
      role ??= c.delta.role ?? null;
      text += c.delta.content ?? '';
      finish = c.finish_reason ?? finish;
    }
    if (chunk.usage) usage = chunk.usage;
  }
  const choice = whole.choices[0];
  check(whole.object === 'chat.completion' && whole.id.startsWith('chatcmpl-'), `${model}: chat envelope ${whole.object} ${whole.id}`);
  check(choice.message.role === 'assistant' && role === 'assistant', `${model}: chat roles ${choice.message.role} ${role}`);
  check(choice.message.content.length > 0, `${model}: empty chat`);
  check(text === choice.message.content, `${model}: streamed chat ${JSON.stringify(text)} != ${JSON.stringify(choice.message.content)}`);
  check(finish === choice.finish_reason, `${model}: chat finish ${finish} != ${choice.finish_reason}`);
  check(usage?.completion_tokens === whole.usage.completion_tokens, `${model}: chat usage ${JSON.stringify(usage)} != ${JSON.stringify(whole.usage)}`);
  return { text: choice.message.content, streamed: text, finish, usage: whole.usage };
}

async function completion(model) {
  const whole = await client.completions.create({ model, prompt, ...sampling });
  const stream = await client.completions.create({ model, prompt, ...sampling, stream: true });
  let text = '', finish = null;
  for await (const chunk of stream) {
    for (const c of chunk.choices) {
      text += c.text;
      finish = c.finish_reason ?? finish;
    }
  }
  const choice = whole.choices[0];
  check(whole.object === 'text_completion' && choice.text.length > 0, `${model}: completion ${JSON.stringify(whole)}`);
  check(text === choice.text, `${model}: streamed completion ${JSON.stringify(text)} != ${JSON.stringify(choice.text)}`);
  check(finish === choice.finish_reason, `${model}: completion finish ${finish} != ${choice.finish_reason}`);
  return { text: choice.text, streamed: text, finish, usage: whole.usage };
}

async function errorName(call) {
  try {
    await call();
    return 'none';
  } catch (e) {
    if (e instanceof NotFoundError) return `NotFoundError ${e.status} ${e.code}`;
    if (e instanceof BadRequestError) return `BadRequestError ${e.status} ${e.param}`;
    return `${e.constructor.name}: ${e.message}`;
  }
}

async function main() {
  const listed = [];
  for await (const m of client.models.list()) listed.push(m.id);
  for (const m of models) check(listed.includes(m), `models.list lacks ${m}: ${listed}`);
  const results = {};
  for (const model of models) {
    results[model] = { chat: await chat(model), completion: await completion(model) };
  }
  const notFound = await errorName(() => client.chat.completions.create({ model: 'no-such-model', messages }));
  check(notFound === 'NotFoundError 404 model_not_found', `unknown model: ${notFound}`);
  const badRequest = await errorName(() => client.chat.completions.create({ model: models[0], messages, temperature: 5 }));
  check(badRequest === 'BadRequestError 400 temperature', `bad temperature: ${badRequest}`);
  console.log(JSON.stringify({ sdk: `node openai ${VERSION}`, listed, results, notFound, badRequest, failures, ok: failures.length === 0 }));
  process.exit(failures.length === 0 ? 0 : 1);
}

main().catch((e) => {
  console.log(JSON.stringify({ sdk: 'node openai', failures: [`${e.constructor.name}: ${e.message}`], ok: false }));
  process.exit(1);
});
