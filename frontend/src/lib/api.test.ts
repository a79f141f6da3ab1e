import { describe, expect, it } from 'vitest'
import { message } from './api'

describe('message', () => {
  it.each([
    ['micro-batch -2: want 1 to 4096', 'micro-batch -2: want 1 to 4096'],
    [new Error('boom'), 'boom'],
    [undefined, 'unknown error'],
    [null, 'unknown error'],
    ['', ''],
    [42, '42'],
  ])('reads %s from Wails and from tests', (e, want) => expect(message(e)).toBe(want))
})
