import { describe, expect, it } from 'vitest'
import type { model, plan } from '../../wailsjs/go/models'
import { barScale, billions, dollars, dollarsShort, fitOf, params, parseCost, parseWhole, peakLines } from './plan'
import choices from '../screens/fixtures/choices-2x4090.json'
import plan8b from '../screens/fixtures/plan-llama-8b-2x4090.json'
import plan70b from '../screens/fixtures/plan-llama-70b-rtx4090-card.json'

describe('dollars', () => {
  it.each([
    [0, '$0.00'],
    [0.0314, '$0.03'],
    [9.994, '$9.99'],
    [10, '$10'],
    [1000.16, '$1,000'],
    [43436.35, '$43,436'],
    [1234567.8, '$1,234,568'],
    [-82.5, '−$83'],
    [NaN, '—'],
    [Infinity, '—'],
  ])('%d -> %s', (v, want) => expect(dollars(v)).toBe(want))

  it('labels axes briefly', () => {
    expect([0, 500, 10000, 12500, 1_500_000].map(dollarsShort)).toEqual(['$0', '$500', '$10k', '$12.5k', '$1.5M'])
  })
})

describe('params', () => {
  it('counts parameters as plan.Params does', () => {
    // Plain JSON, as Wails hands it over: the generated class has more
    // (its methods, fields the Go side leaves out when empty).
    const config = choices.models.find((m) => m.key === 'llama-3.1-8b')!.config as unknown as model.Config
    expect(params(config)).toBe(plan8b.model.params)
    expect(billions(params(config))).toBe('8.03B')
    expect(billions(params(undefined))).toBe('—')
  })
})

describe('peakLines', () => {
  it('adds up to the peak for every method of the captured plans', () => {
    for (const o of [...plan8b.comparison, ...plan70b.comparison] as plan.Option[]) {
      const { atPeak, notAtPeak } = peakLines(o.estimate)
      expect(atPeak.reduce((s, l) => s + l.bytes, 0)).toBe(o.estimate.peak)
      expect(notAtPeak).toBe('logits')
    }
  })

  it('draws every line when the peak is not what it expects', () => {
    const e = { lines: [{ key: 'weights', label: 'w', bytes: 10 }, { key: 'logits', label: 'l', bytes: 5 }, { key: 'workspace', label: 'x', bytes: 3 }], peak: 99 }
    expect(peakLines(e as plan.Estimate).atPeak).toHaveLength(3)
  })
})

describe('fit and scale', () => {
  it('reads the fit as the CLI does', () => {
    expect(fitOf({ fits: true, comfortable: true })).toBe('yes')
    expect(fitOf({ fits: true, comfortable: false })).toBe('tight')
    expect(fitOf({ fits: false, comfortable: false })).toBe('no')
  })

  it('scales bars between a little over the free memory and twice it', () => {
    expect(barScale(100, [10, 20])).toBeCloseTo(110)
    expect(barScale(100, [150])).toBe(150)
    expect(barScale(100, [500])).toBe(200)
    expect(barScale(0, [50])).toBe(50)
    expect(barScale(0, [])).toBe(1)
  })
})

describe('input parsing', () => {
  it('wants a whole number of 1 or more for a what-if', () => {
    expect(parseWhole(' 8192 ', 'Sequence length')).toEqual({ value: 8192 })
    expect(parseWhole('-3', 'Micro-batch')).toEqual({ value: -3 }) // the Go side says what is wrong
    expect(parseWhole('', 'Micro-batch')).toEqual({ error: 'Micro-batch: enter a whole number of 1 or more.' })
    expect(parseWhole('0', 'Micro-batch')).toEqual({ error: 'Micro-batch 0: enter a whole number of 1 or more.' })
    expect(parseWhole('1.5', 'LoRA rank')).toEqual({ error: 'LoRA rank 1.5: enter a whole number of 1 or more.' })
  })

  it('reads an empty cost field as the default', () => {
    expect(parseCost('', 'Examples', true)).toEqual({ value: 0 })
    expect(parseCost('1.5', 'Epochs', false)).toEqual({ value: 1.5 })
    expect(parseCost('1.5', 'Examples', true)).toEqual({ error: 'Examples 1.5: enter a whole number.' })
  })
})
