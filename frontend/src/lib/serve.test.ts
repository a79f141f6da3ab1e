import { describe, expect, it } from 'vitest'
import { curlExample, pythonExample, shellQuote } from './serve'

// The shell itself reads the examples: node's child_process, imported by a
// name the type checker does not resolve (the frontend has no Node types).
const childProcess = 'node:child_process'
const { execFileSync } = await import(/* @vite-ignore */ childProcess)

const url = 'http://127.0.0.1:41234/v1'
const token = '0123456789abcdef0123456789abcdef'

// words is what a POSIX shell makes of a command line: each argument.
function words(line: string): string[] {
  const out: string = execFileSync('sh', ['-c', `set -- ${line}; for w in "$@"; do printf '%s\\0' "$w"; done`], { encoding: 'utf8' })
  return out.split('\0').slice(0, -1)
}

describe('shellQuote', () => {
  it.each([
    ['alpha-2'],
    ["it's"],
    ['$(rm -rf /) `x` "y" \\ \n'],
    [''],
  ])('keeps %j one word, unchanged', (s) => expect(words(shellQuote(s))).toEqual([s]))
})

describe('curlExample', () => {
  it('posts a chat completion for the model with the bearer token, as the shell reads it', () => {
    const cmd = curlExample(url, token, 'alpha-2')
    const args = words(cmd.replace(/\\\n/g, ' '))
    expect(args.slice(0, 2)).toEqual(['curl', `${url}/chat/completions`])
    expect(args).toContain(`Authorization: Bearer ${token}`)
    const body = JSON.parse(args[args.indexOf('-d') + 1])
    expect(body).toEqual({ model: 'alpha-2', messages: [{ role: 'user', content: 'Hello!' }] })
  })
})

describe('pythonExample', () => {
  it('sets base_url and api_key and names the model', () => {
    const py = pythonExample(url, token, 'base')
    expect(py).toContain(`client = OpenAI(base_url="${url}", api_key="${token}")`)
    expect(py).toContain('model="base",')
    expect(py.split('\n')[0]).toBe('from openai import OpenAI')
  })

  it('quotes what it is given as Python strings', () => {
    expect(pythonExample(url, token, 'a"b\\c')).toContain('model="a\\"b\\\\c",')
  })
})
