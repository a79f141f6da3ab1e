import { describe, expect, it } from 'vitest'
import { fixLanguage } from './locale'

describe('fixLanguage', () => {
  it('replaces a tag Intl refuses (WebKitGTK says "C" under LANG=C) and keeps a good one', () => {
    const bad = { language: 'C', languages: ['C'] } as unknown as Navigator
    expect(() => new Intl.NumberFormat(bad.language)).toThrow(RangeError)
    expect(fixLanguage(bad)).toBe(true)
    expect(bad.language).toBe('en-US')
    expect(() => new Intl.NumberFormat(bad.language)).not.toThrow()
    const good = { language: 'fr-FR', languages: ['fr-FR'] } as unknown as Navigator
    expect(fixLanguage(good)).toBe(false)
    expect(good.language).toBe('fr-FR')
  })
})
