import { describe, expect, it } from 'vitest'
import type { store } from '../../wailsjs/go/models'
import {
  applyDraft, canResume, duration, etaSeconds, evalPartner, fieldOf, formFrom, isLive, lossSeries, lrSeries, lrText, merge, mergeAll,
  pointsFrom, refetchTicks, specFrom, totalOf, type Point, type SpecLike,
} from './train'

// The Go side's train.Spec{}.Defaults(), as DefaultSpec sends it.
const defaults: Partial<SpecLike> = {
  name: '', model: '', dataset: 0, evalDataset: 0, method: 'lora', epochs: 1, maxSteps: 0, seqLen: 512, microBatch: 4,
  gradAccum: 4, lr: 2e-4, rank: 16, alpha: 32, dropout: 0.05, evalEvery: 50, checkpointEvery: 100,
}

const pt = (step: number, m: Record<string, number> = {}): Point => ({ step, m: { step, ...m } })

describe('formFrom and specFrom', () => {
  it('round-trips the defaults with a model and a dataset', () => {
    const f = { ...formFrom(defaults), model: '/m/stories260K.bin', dataset: '2', evalDataset: '3' }
    expect(f.lr).toBe('0.0002')
    expect(f.dataset).toBe('2')
    const r = specFrom(f)
    expect('spec' in r && r.spec).toEqual({ ...defaults, model: '/m/stories260K.bin', dataset: 2, evalDataset: 3 })
  })

  it('leaves ids of 0 empty, so that the pickers say "choose"', () => {
    const f = formFrom(defaults)
    expect([f.dataset, f.evalDataset, f.model]).toEqual(['', '', ''])
  })

  it('sends an empty number field as 0, the Go side\'s default', () => {
    const f = { ...formFrom(defaults), model: 'm', dataset: '1', rank: '' }
    const r = specFrom(f)
    expect('spec' in r && r.spec.rank).toBe(0)
  })

  it.each([
    ['model', { model: ' ' }, /Base model/],
    ['dataset', { dataset: '' }, /Dataset: choose/],
    ['seqLen', { seqLen: '64.5' }, /Sequence length 64.5: enter a whole number/],
    ['microBatch', { microBatch: '0' }, /Micro-batch 0: enter a whole number above 0\./],
    ['lr', { lr: '2e-' }, /Learning rate 2e-: enter a number/],
    ['dropout', { dropout: '-0.1' }, /LoRA dropout -0.1/],
    ['evalDataset', { evalDataset: '1' }, /held-out/],
  ])('names %s when it cannot be sent', (field, change, msg) => {
    const f = { ...formFrom(defaults), model: 'm', dataset: '1', ...change }
    const r = specFrom(f)
    expect('error' in r && r.field).toBe(field)
    expect('error' in r && r.error).toMatch(msg)
  })

  it('takes 0 max steps (from the epochs) and scientific notation', () => {
    const r = specFrom({ ...formFrom(defaults), model: 'm', dataset: '1', maxSteps: '0', lr: '1.5e-5' })
    expect('spec' in r && [r.spec.maxSteps, r.spec.lr]).toEqual([0, 1.5e-5])
  })
})

describe('fieldOf', () => {
  it.each([
    ['run setting "seqLen": 4: want 8 to 1048576 tokens', 'seqLen'],
    ['run setting "dataset": dataset 9: record not found', 'dataset'],
    ['something else', ''],
  ])('%s -> %s', (p, want) => expect(fieldOf(p)).toBe(want))
})

describe('applyDraft', () => {
  it('replaces what the other screen chose and keeps the rest', () => {
    const f = { ...formFrom(defaults), model: '/old', dataset: '1', lr: '0.001' }
    const g = applyDraft(f, { model: '/new', method: 'qlora', seqLen: '1024', dataset: undefined, rank: '' })
    expect([g.model, g.method, g.seqLen, g.dataset, g.lr, g.rank]).toEqual(['/new', 'qlora', '1024', '1', '0.001', '16'])
  })
})

describe('points', () => {
  const stored = [
    { runId: 1, step: 2, metrics: { loss: 3, lr: 1e-4 } },
    { runId: 1, step: 1, metrics: { loss: 4, lr: 0 } },
    { runId: 1, step: 3, metrics: { loss: 2.5, lr: 2e-4, evalLoss: 2.9 } },
  ] as store.RunMetric[]

  it('reads stored metrics in step order', () => {
    expect(pointsFrom(stored).map((p) => p.step)).toEqual([1, 2, 3])
    expect(pointsFrom(null)).toEqual([])
  })

  it('makes the loss and eval-loss series with gaps between evaluations', () => {
    expect(lossSeries(pointsFrom(stored))).toEqual([[1, 2, 3], [4, 3, 2.5], [null, null, 2.9]])
    expect(lrSeries(pointsFrom(stored))).toEqual([[1, 2, 3], [0, 1e-4, 2e-4]])
  })

  it('never lets NaN or a missing value into a series', () => {
    const s = lossSeries([pt(1, { loss: NaN }), pt(2)])
    expect(s).toEqual([[1, 2], [null, null], [null, null]])
  })

  it('appends a newer step, replaces a repeated one and drops what came after it (a resume)', () => {
    let ps = merge([], pt(1, { loss: 4 }))
    ps = merge(ps, pt(2, { loss: 3 }))
    ps = merge(ps, pt(3, { loss: 2 }))
    ps = merge(ps, pt(2, { loss: 3.1 }))
    expect(ps.map((p) => [p.step, p.m.loss])).toEqual([[1, 4], [2, 3.1]])
    expect(merge(ps, pt(0))).toBe(ps)
  })

  it('lays stored metrics under newer live ones', () => {
    const s = [pt(1), pt(2), pt(3)]
    expect(mergeAll(s, [pt(3), pt(5)]).map((p) => p.step)).toEqual([1, 2, 3, 5])
    expect(mergeAll([], [pt(4)]).map((p) => p.step)).toEqual([4])
  })
})

describe('live numbers', () => {
  it('estimates the time left from the last steps\' pace', () => {
    const ps = [pt(1, { stepSeconds: 9 }), pt(2, { stepSeconds: 0.5 }), pt(3, { stepSeconds: 1.5 })]
    expect(etaSeconds(ps, 3, 13, 2)).toBe(10)
    expect(etaSeconds(ps, 13, 13)).toBe(0)
    expect(etaSeconds([], 3, 13)).toBeNaN()
    expect(etaSeconds(ps, 3, 0)).toBeNaN()
    expect(etaSeconds(ps, 14, 13)).toBeNaN()
  })

  it.each([
    [0, '0 s'], [44.6, '45 s'], [185, '3 min 05 s'], [7440, '2 h 04 min'], [NaN, '—'], [-1, '—'],
  ])('duration(%d) = %s', (s, want) => expect(duration(s)).toBe(want))

  it.each([
    [2e-4, '2e-4'], [1.5e-5, '1.5e-5'], [0.00012345, '1.23e-4'], [0, '0'], [null, '—'], [Infinity, '—'],
  ])('lrText(%s) = %s', (v, want) => expect(lrText(v)).toBe(want))

  it('reads a long run\'s stored metrics less often', () => {
    expect([0, 600, 601, 6000].map(refetchTicks)).toEqual([2, 2, 3, 20])
  })

  it('takes the total from the row, else from the job\'s fraction', () => {
    expect(totalOf(30, 3, 0.5)).toBe(30)
    expect(totalOf(0, 3, 0.1)).toBe(30)
    expect(totalOf(0, 0, 0)).toBe(0)
  })

  it('tells live and resumable states', () => {
    expect(['running', 'pausing', 'paused', 'succeeded'].map(isLive)).toEqual([true, true, false, false])
    expect(['paused', 'failed', 'cancelled', 'interrupted', 'succeeded', 'running'].map(canResume))
      .toEqual([true, true, true, true, false, false])
  })
})

describe('evalPartner', () => {
  const split = (id: number, part: string, seed = 1, parentId = 1) =>
    ({ id, parentId, recipe: JSON.stringify({ op: 'split', from: parentId, part, seed, evalFraction: 0.25 }) })
  const all = [split(5, 'eval', 2), split(4, 'train', 2), split(3, 'eval'), split(2, 'train'), { id: 1, parentId: 0, recipe: '' }]

  it('finds the eval part of the same split', () => {
    expect(evalPartner(all[3], all)).toBe(3)
    expect(evalPartner(all[1], all)).toBe(5)
  })

  it('is 0 for an eval part, a dataset that is no split, or a split whose eval part is gone', () => {
    expect(evalPartner(all[2], all)).toBe(0)
    expect(evalPartner(all[4], all)).toBe(0)
    expect(evalPartner(all[3], all.filter((d) => d.id !== 3))).toBe(0)
    expect(evalPartner({ id: 9, recipe: '{bad' }, all)).toBe(0)
  })
})
