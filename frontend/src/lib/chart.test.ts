import { describe, expect, it } from 'vitest'
import { niceTicks } from './chart'

describe('niceTicks', () => {
  it('covers the maximum in round steps', () => {
    expect(niceTicks(43436)).toEqual([0, 10000, 20000, 30000, 40000, 50000])
    expect(niceTicks(366058)).toEqual([0, 100000, 200000, 300000, 400000])
    expect(niceTicks(0)).toEqual([0, 1])
    expect(niceTicks(NaN)).toEqual([0, 1])
  })
})
