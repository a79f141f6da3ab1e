import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushSync } from 'svelte'
import { hw } from '../../wailsjs/go/models'
import type { HoneAPI } from '../lib/api'
import System from './System.svelte'
import { allByTestId, mountIn, settle, type Mounted } from './testing'

const GiB = 2 ** 30

function gpu(index: number, used: number): hw.GPU {
  return new hw.GPU({
    index, name: 'NVIDIA GeForce RTX 4090', uuid: `GPU-${index}`, memoryTotal: 24 * GiB,
    memoryUsed: used, memoryFree: 24 * GiB - used, computeMajor: 8, computeMinor: 9,
    utilizationPct: 7, memoryUtilPct: 3, temperatureC: 41, powerDrawWatts: 60, powerLimitWatts: 450,
  })
}

function report(gpus: hw.GPU[], extra: Partial<hw.Report> = {}): hw.Report {
  return new hw.Report({
    time: new Date().toISOString(), gpus, driver: { version: '550.54', cudaVersion: '12.4' },
    gpuNote: gpus.length ? '' : 'CPU only: no NVIDIA driver found',
    gpuSource: gpus.length ? 'fake: 2xrtx4090' : 'nvml',
    cpu: { model: 'AMD EPYC 9654', physicalCores: 2, logicalCores: 4, avx2: true, avx512: false, fma: true, f16c: true },
    memory: { total: 32 * GiB, available: 20 * GiB },
    disk: { path: '/data', total: 500 * GiB, free: 100 * GiB },
    backend: { name: 'cpu', gpu: -1, reason: 'no CUDA backend yet' },
    ...extra,
  })
}

// fakeAPI answers report() with first and lets the test push stream updates.
function fakeAPI(first: hw.Report) {
  let listener: ((r: hw.Report) => void) | null = null
  const api = {
    info: vi.fn(),
    report: vi.fn(async () => first),
    watch: vi.fn(async () => {}),
    onReport: vi.fn((cb: (r: hw.Report) => void) => {
      listener = cb
      return () => (listener = null)
    }),
    painted: vi.fn(async () => {}),
  }
  return { api: api as unknown as HoneAPI & typeof api, push: (r: hw.Report) => listener?.(r), listening: () => listener !== null }
}

let target: HTMLElement
let mounted: Mounted | null = null

function render(api: HoneAPI) {
  mounted = mountIn(System, { api })
  target = mounted.target
}

afterEach(() => {
  mounted?.destroy()
  mounted = null
})

const q = (id: string) => allByTestId(target, id).map((e) => e.textContent!.trim())

describe('System screen', () => {
  it('shows CPU only, with the reason, when there is no GPU', async () => {
    const { api } = fakeAPI(report([]))
    render(api)
    await settle()
    expect(q('cpu-only')).toEqual(['CPU only: no NVIDIA driver found'])
    expect(q('gpu')).toHaveLength(0)
    expect(q('cpu-model')).toEqual(['AMD EPYC 9654'])
    expect(q('ram')[0]).toBe('20.0 GiB available of 32.0 GiB')
    expect(q('backend')[0]).toContain('CPU backend')
  })

  it('lists every GPU with a VRAM bar, and says when they are simulated', async () => {
    const { api } = fakeAPI(report([gpu(0, 6 * GiB), gpu(1, 12 * GiB)]))
    render(api)
    await settle()
    expect(q('gpu')).toHaveLength(2)
    expect(q('vram')[0]).toMatch(/^6\.0 GiB used of 24\.0 GiB · 18\.0 GiB free$/)
    const bars = [...target.querySelectorAll<HTMLElement>('[data-testid="vram-bar"]')].map((b) => b.style.width)
    expect(bars).toEqual(['25%', '50%'])
    expect(q('fake-gpus')[0]).toContain('fake: 2xrtx4090')
    expect(q('cpu-only')).toHaveLength(0)
  })

  it('follows the telemetry stream while mounted and stops it when left', async () => {
    const { api, push, listening } = fakeAPI(report([gpu(0, 0)]))
    render(api)
    await settle()
    expect(api.watch).toHaveBeenLastCalledWith(true)
    push(report([gpu(0, 18 * GiB)]))
    flushSync()
    expect(q('vram')[0]).toMatch(/^18\.0 GiB used/)
    mounted!.destroy()
    mounted = null
    expect(api.watch).toHaveBeenLastCalledWith(false)
    expect(listening()).toBe(false)
  })

  it('shows the error when the machine cannot be read', async () => {
    const { api } = fakeAPI(report([]))
    api.report.mockImplementation(async () => {
      throw new Error('read CPU info: permission denied')
    })
    render(api)
    await settle()
    expect(target.querySelector('[role="alert"]')!.textContent).toContain('permission denied')
  })
})
