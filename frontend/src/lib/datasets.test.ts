import { describe, expect, it } from 'vitest'
import {
  bucketLabel, bucketPosition, containerName, delimiterName, findingGroups, findingIDs, jobDataset, jobFile, labelBars,
  noOverrides, pagesFor, parseFraction, parseOptions, parseSeed, parseTotal, parseWeight, percent, recipeText, rolePattern,
  stem, visibleRange, when,
} from './datasets'
import type { dataset } from '../../wailsjs/go/models'

describe('datasets helpers', () => {
  it('parseOptions sends null for a header to detect, and the columns only when given', () => {
    expect(parseOptions(noOverrides)).toEqual({
      container: '', format: '', delimiter: 0, header: null,
      columns: { prompt: '', response: '', system: '', label: '' }, strict: false,
    })
    const o = parseOptions({ ...noOverrides, header: 'no', delimiter: 9, columns: { prompt: '2', response: '', system: '', label: '1' } })
    expect(o.header).toBe(false)
    expect(o.delimiter).toBe(9)
    expect(o.columns).toEqual({ prompt: '2', response: '', system: '', label: '1' })
  })

  it('names containers, delimiters and files', () => {
    expect(containerName({ container: 'csv', delimiter: 9 })).toBe('TSV')
    expect(containerName({ container: 'csv', delimiter: 44 })).toBe('CSV')
    expect(containerName({ container: 'jsonl', delimiter: 0 })).toBe('JSON Lines')
    expect(delimiterName(44)).toBe('comma')
    expect(delimiterName(58)).toBe('“:”')
    expect(delimiterName(-1)).toBe('')
    expect(stem('/a/b/train.csv')).toBe('train')
    expect(stem('/a/b/.hidden')).toBe('.hidden')
    expect(jobFile({ title: 'Import /work/shared/banking77/train.csv' })).toBe('train.csv')
    expect(jobDataset({ result: { datasetId: 12, name: 'train', examples: 10003, skipped: 0, format: 'csv' } })).toBe(12)
    expect(jobDataset({ result: undefined })).toBe(0)
    expect(jobDataset({ result: { datasetId: 'twelve' } })).toBe(0)
  })

  it('prints dates and percentages, never NaN', () => {
    expect(when('2026-11-29T22:21:54.676Z')).toMatch(/^2026-11-(29|30) \d\d:\d\d$/)
    expect(when('not a date')).toBe('—')
    expect(when(undefined)).toBe('—')
    expect(percent(0.424)).toBe(42)
    expect(percent(NaN)).toBe(0)
    expect(percent(3)).toBe(100)
  })

  it('says how a version was made', () => {
    expect(recipeText('{"from":1,"op":"dedupe-normalized","removed":28}')).toBe('#1 without duplicates up to case and punctuation: 28 examples removed')
    expect(recipeText('{"evalFraction":0.1,"from":1,"op":"split","part":"eval","seed":1}')).toBe('the eval part of a 10% eval split of #1, seed 1')
    expect(recipeText('{"op":"mix","parts":[{"dataset":1,"weight":0.7},{"dataset":2,"weight":0.3}],"seed":3,"total":500}'))
      .toBe('a mix of #1 × 0.7, #2 × 0.3, 500 examples, seed 3')
    expect(recipeText('')).toBe('')
    expect(recipeText('{oops')).toBe('')
  })

  it('draws the top labels and counts the rest', () => {
    const labels = Array.from({ length: 35 }, (_, i) => ({ label: `l${i}`, count: 100 - i }))
    const c = labelBars(labels, 10000, 30)
    expect(c.bars).toHaveLength(30)
    expect(c.bars[0]).toEqual({ label: 'l0', count: 100, pct: 100, share: 1 })
    expect(c.more).toBe(5)
    expect(c.moreExamples).toBe(70 + 69 + 68 + 67 + 66)
    expect(labelBars(null, 0)).toEqual({ bars: [], more: 0, moreExamples: 0 })
  })

  it('places lengths on the doubling buckets of the histogram', () => {
    const b = [{ lo: 0, hi: 16 }, { lo: 16, hi: 32 }, { lo: 32, hi: 64 }, { lo: 64, hi: 128 }]
    expect(bucketPosition(8, b)).toBe(0.5)
    expect(bucketPosition(16, b)).toBe(1)
    expect(bucketPosition(Math.sqrt(32 * 64), b)).toBeCloseTo(2.5)
    expect(bucketPosition(500, b)).toBe(4)
    expect(bucketPosition(NaN, b)).toBeNull()
    expect(bucketPosition(3, [])).toBeNull()
    expect(bucketLabel({ lo: 1024, hi: 2048 })).toBe('1k–2k')
    expect(rolePattern('system user assistant')).toBe('system → user → assistant')
    expect(rolePattern('')).toBe('(no messages)')
  })

  it('lays out the examples of a finding by group', () => {
    const ex = (id: number) => ({ id, seq: id, messages: [], line: id, chars: 1 }) as unknown as dataset.Example
    const f = { examples: [2, 4], groups: [[1, 2], [3, 4], [5, 6]] }
    expect(findingIDs(f)).toEqual([1, 2, 3, 4, 5, 6])
    const g = findingGroups(f, [ex(1), ex(2), ex(3), ex(4)])
    expect(g.map((x) => x.map((e) => e.id))).toEqual([[1, 2], [3, 4]])
    expect(findingGroups({ examples: [7, 8] }, [ex(8), ex(7)]).map((x) => x.map((e) => e.id))).toEqual([[7, 8]])
    expect(findingIDs({ examples: Array.from({ length: 1500 }, (_, i) => i) })).toHaveLength(1000)
  })

  it('computes the rows in view and the pages they are on', () => {
    expect(visibleRange(0, 560, 104, 10003, 4)).toEqual({ first: 0, end: 10 })
    expect(visibleRange(104 * 1500, 560, 104, 10003, 4)).toEqual({ first: 1496, end: 1510 })
    expect(visibleRange(1e9, 560, 104, 10, 4)).toEqual({ first: 10, end: 10 })
    expect(visibleRange(0, 0, 104, 3, 4)).toEqual({ first: 0, end: 3 })
    expect(visibleRange(NaN, NaN, 104, 0)).toEqual({ first: 0, end: 0 })
    expect(pagesFor(1496, 1510, 100)).toEqual([14, 15])
    expect(pagesFor(0, 10, 100)).toEqual([0])
    expect(pagesFor(5, 5, 100)).toEqual([])
  })

  it('reads the split and mix fields, with a message for each mistake', () => {
    expect(parseFraction('0.1')).toEqual({ value: 0.1 })
    expect(parseFraction('15%')).toEqual({ value: 0.15 })
    expect(parseFraction('1')).toHaveProperty('error')
    expect(parseFraction('')).toHaveProperty('error')
    expect(parseFraction('abc')).toHaveProperty('error')
    expect(parseSeed('42')).toEqual({ value: 42 })
    expect(parseSeed('-1')).toHaveProperty('error')
    expect(parseSeed('1.5')).toHaveProperty('error')
    expect(parseWeight('0.5', '#1')).toEqual({ value: 0.5 })
    expect(parseWeight('0', '#1')).toEqual({ error: 'Weight of #1 0: enter a number more than 0.' })
    expect(parseTotal('')).toEqual({ value: 0 })
    expect(parseTotal('500')).toEqual({ value: 500 })
    expect(parseTotal('0')).toHaveProperty('error')
  })
})
