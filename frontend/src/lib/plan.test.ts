import { describe, expect, it } from 'vitest'
import type { model, plan } from '../../wailsjs/go/models'
import {
  barScale, billions, changed, dollars, dollarsShort, fitOf, initialCostText, params, parseCost, parseWhole, peakLines, planRequest,
} from './plan'
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

describe('planRequest', () => {
  const cost = { ...initialCostText(), epochs: '' }
  it.each([
    {
      name: 'the recommendation: zeros, and the cost fields as typed (empty is the default, 0)',
      whatIf: {}, cost,
      want: { model: 'llama-3.1-8b', gpu: 'gpu:1', seqLen: 0, microBatch: 0, rank: 0, optimizer: '', checkpointing: undefined,
        cost: { examples: 2000, tokensPerExample: 400, epochs: 0, examplesToAnnotate: 0, useCases: 1 } },
    },
    {
      name: 'a what-if sends only what was changed',
      whatIf: { seqLen: ' 8192 ', checkpointing: false, optimizer: 'adamw8' }, cost,
      want: { seqLen: 8192, microBatch: 0, rank: 0, checkpointing: false, optimizer: 'adamw8' },
    },
  ])('$name', ({ whatIf, cost, want }) => {
    const r = planRequest('llama-3.1-8b', 'gpu:1', whatIf, cost)
    if (!('req' in r)) throw new Error(r.error)
    expect(r.req).toMatchObject(want)
  })

  it.each([
    { whatIf: { rank: '0' }, cost, field: 'rank', error: 'LoRA rank 0: enter a whole number of 1 or more.' },
    { whatIf: { microBatch: '' }, cost, field: 'microBatch', error: 'Micro-batch: enter a whole number of 1 or more.' },
    { whatIf: {}, cost: { ...cost, examples: '2.5' }, field: 'examples', error: 'Examples 2.5: enter a whole number.' },
  ])('names the field that cannot be sent: $field', ({ whatIf, cost, field, error }) => {
    expect(planRequest('m', '', whatIf, cost)).toEqual({ field, error })
  })
})

describe('changed', () => {
  it('is true once any setting is set, even to off', () => {
    expect(changed({})).toBe(false)
    expect(changed({ seqLen: undefined })).toBe(false)
    expect(changed({ checkpointing: false })).toBe(true)
    expect(changed({ rank: '' })).toBe(true)
  })
})
