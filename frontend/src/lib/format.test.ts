import { describe, expect, it } from 'vitest'
import { cpuFlags, formatBytes, share } from './format'

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
