// The "Serve over the API" panel's examples: ready-to-paste requests to the
// chat's OpenAI-compatible server (app.ServerState: its base URL, ending in
// /v1, and its bearer token) for one of its model ids.

// shellQuote makes s one word of a POSIX shell, whatever it holds.
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`
}

// pyString is s as a Python string literal (JSON's escapes are Python's).
export function pyString(s: string): string {
  return JSON.stringify(s)
}

const hello = 'Hello!'

// curlExample is a chat completion with curl.
export function curlExample(url: string, token: string, model: string): string {
  const body = JSON.stringify({ model, messages: [{ role: 'user', content: hello }] })
  return [
    `curl ${shellQuote(`${url}/chat/completions`)} \\`,
    `  -H ${shellQuote(`Authorization: Bearer ${token}`)} \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -d ${shellQuote(body)}`,
  ].join('\n')
}

// pythonExample is the same request with the openai package.
export function pythonExample(url: string, token: string, model: string): string {
  return [
    'from openai import OpenAI',
    '',
    `client = OpenAI(base_url=${pyString(url)}, api_key=${pyString(token)})`,
    'reply = client.chat.completions.create(',
    `    model=${pyString(model)},`,
    `    messages=[{"role": "user", "content": ${pyString(hello)}}],`,
    ')',
    'print(reply.choices[0].message.content)',
  ].join('\n')
}
