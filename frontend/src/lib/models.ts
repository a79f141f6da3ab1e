import type { model } from '../../wailsjs/go/models'

// The kind of the background job a model download runs as (app.Models.Download).
export const downloadKind = 'download'

// The architectures Hone's trainer takes (model.Config's architecture).
export const trainableArchitectures = ['llama', 'mistral', 'qwen2', 'qwen3']

export function trainable(f: Pick<model.Found, 'architecture' | 'error'>): boolean {
  return !f.error && trainableArchitectures.includes((f.architecture ?? '').toLowerCase())
}

// formatParams prints a parameter count as 260K, 135M or 8.03B; a dash when
// unknown.
export function formatParams(n: number): string {
  if (!Number.isFinite(n) || n <= 0) return '—'
  const trim = (x: number, digits: number) => x.toFixed(digits).replace(/\.0+$/, '')
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}B`
  if (n >= 1e6) return `${trim(n / 1e6, n >= 1e8 ? 0 : 1)}M`
  if (n >= 1e3) return `${trim(n / 1e3, n >= 1e5 ? 0 : 1)}K`
  return String(Math.round(n))
}

const sources: Record<string, string> = {
  huggingface: 'Hugging Face',
  lmstudio: 'LM Studio',
  ollama: 'Ollama',
  folder: 'Folder',
}

export function sourceName(s: string): string {
  return sources[s] ?? (s || '—')
}

const formats: Record<string, string> = { hf: 'safetensors', gguf: 'GGUF', llama2c: 'llama2.c' }

export function formatName(f: string): string {
  return formats[f] ?? (f || '—')
}

// checkRepo says what is wrong with a Hugging Face repository id, or ''.
export function checkRepo(repo: string): string {
  const r = repo.trim()
  if (!r) return 'Enter a repository id such as HuggingFaceTB/SmolLM2-135M-Instruct.'
  if (!/^[\w.-]+\/[\w.-]+$/.test(r) || r.includes('..')) {
    return `“${r}” is not a repository id: want owner/name, such as HuggingFaceTB/SmolLM2-135M-Instruct.`
  }
  return ''
}

// jobRepo is the repository a download job fetches, from its title.
export function jobRepo(j: { title: string }): string {
  return j.title.replace(/^Download\s+/, '')
}
