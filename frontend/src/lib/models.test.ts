import { describe, expect, it } from 'vitest'
import { checkRepo, formatName, formatParams, jobRepo, sourceName, trainable } from './models'

describe('models', () => {
  it('formats parameter counts as 260K, 135M, 494M, 1.54B, 8.03B', () => {
    expect(formatParams(260032)).toBe('260K')
    expect(formatParams(15_190_000)).toBe('15.2M')
    expect(formatParams(134_515_008)).toBe('135M')
    expect(formatParams(494_032_768)).toBe('494M')
    expect(formatParams(1_543_714_304)).toBe('1.54B')
    expect(formatParams(8_030_261_248)).toBe('8.03B')
    expect(formatParams(70_553_706_496)).toBe('70.55B')
    expect(formatParams(0)).toBe('—')
    expect(formatParams(NaN)).toBe('—')
  })

  it('marks llama, mistral, qwen2 and qwen3 as trainable, unless unreadable', () => {
    for (const a of ['llama', 'mistral', 'qwen2', 'qwen3']) expect(trainable({ architecture: a })).toBe(true)
    for (const a of ['gemma2', 'phi3', '', 'qwen2moe']) expect(trainable({ architecture: a })).toBe(false)
    expect(trainable({ architecture: 'llama', error: 'no config.json' })).toBe(false)
  })

  it('names sources and formats', () => {
    expect(sourceName('huggingface')).toBe('Hugging Face')
    expect(sourceName('lmstudio')).toBe('LM Studio')
    expect(sourceName('ollama')).toBe('Ollama')
    expect(sourceName('folder')).toBe('Folder')
    expect(sourceName('')).toBe('—')
    expect(formatName('gguf')).toBe('GGUF')
    expect(formatName('llama2c')).toBe('llama2.c')
  })

  it('checks repository ids as the Go side does', () => {
    expect(checkRepo('HuggingFaceTB/SmolLM2-135M-Instruct')).toBe('')
    expect(checkRepo(' no-such-org/no-such-model ')).toBe('')
    expect(checkRepo('')).toMatch(/Enter a repository id/)
    expect(checkRepo('SmolLM2')).toMatch(/not a repository id/)
    expect(checkRepo('a/b/c')).toMatch(/not a repository id/)
    expect(checkRepo('a/..')).toMatch(/not a repository id/)
    expect(jobRepo({ title: 'Download HuggingFaceTB/SmolLM2-135M-Instruct' })).toBe('HuggingFaceTB/SmolLM2-135M-Instruct')
  })
})
