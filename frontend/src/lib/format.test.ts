import { describe, expect, it } from 'vitest'
import { baseName, cpuFlags, fixed, formatBytes, group, pct, share } from './format'

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.0 KiB'],
    [24564 * 2 ** 20, '24.0 GiB'],
    [3 * 2 ** 40, '3.0 TiB'],
    [-1, '—'],
    [NaN, '—'],
  ])('%d -> %s', (n, want) => expect(formatBytes(n)).toBe(want))
})

describe('share', () => {
  it('is a percentage clamped to 0..100', () => {
    expect(share(512, 2048)).toBe(25)
    expect(share(5, 0)).toBe(0)
    expect(share(3000, 2048)).toBe(100)
  })
})

describe('cpuFlags', () => {
  it('names what the CPU has', () => {
    expect(cpuFlags({ avx2: true, avx512: false, fma: true, f16c: false })).toBe('AVX2 FMA')
    expect(cpuFlags({ avx2: false, avx512: false, fma: false, f16c: false })).toBe('no AVX2')
  })
})

describe('group', () => {
  it.each([
    [800000, '800,000'],
    [999, '999'],
    [1234.6, '1,235'],
    [-43436, '−43,436'],
    [NaN, '—'],
  ])('%d -> %s', (n, want) => expect(group(n)).toBe(want))
})

describe('fixed', () => {
  it.each([
    [995.4, 0, '995'],
    [0.2166, 2, '0.22'],
    [undefined, 2, '—'],
    [Infinity, 1, '—'],
  ])('%d with %d digits -> %s', (n, digits, want) => expect(fixed(n, digits)).toBe(want))
})

describe('pct', () => {
  it('is part of whole, not clamped, and 0 without a whole', () => {
    expect(pct(25, 200)).toBe(12.5)
    expect(pct(300, 200)).toBe(150)
    expect(pct(5, 0)).toBe(0)
    expect(pct(NaN, 10)).toBe(0)
  })
})

describe('baseName', () => {
  it.each([
    ['/data/banking77/train.csv', 'train.csv'],
    ['C:\\models\\tiny.Q4_K_M.gguf', 'tiny.Q4_K_M.gguf'],
    ['/home/me/notes/', 'notes'],
    ['plain', 'plain'],
  ])('%s -> %s', (p, want) => expect(baseName(p)).toBe(want))
})
