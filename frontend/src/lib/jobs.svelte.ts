// Background jobs of one kind (imports, downloads) as a screen shows them:
// their updates arrive through api.onJob ("job" events), the ones already
// running when the screen opens come from api.jobs, and an ended one stays
// until it is dismissed, except a success, which is dropped and reported to
// onsuccess.
import type { store } from '../../wailsjs/go/models'
import type { HoneAPI } from './api'
import { message } from './api'

export class JobTracker {
  jobs = $state<store.Job[]>([])
  // Jobs that ended: a late update of one changes nothing.
  private readonly ended = new Set<number>()
  private readonly api: () => HoneAPI
  private readonly kind: string
  private readonly onsuccess?: (j: store.Job) => void

  constructor(api: () => HoneAPI, kind: string, onsuccess?: (j: store.Job) => void) {
    this.api = api
    this.kind = kind
    this.onsuccess = onsuccess
  }

  // Listens to job events; returns the function that stops listening.
  attach(): () => void {
    return this.api().onJob((j) => this.update(j))
  }

  // Picks up the jobs of this kind still running from before.
  resume() {
    this.api()
      .jobs(50)
      .then(
        (js) => {
          for (const j of js ?? []) if (j.kind === this.kind && j.state === 'running') this.update(j)
        },
        () => {},
      )
  }

  update(j: store.Job) {
    if (!j || j.kind !== this.kind) return
    if (this.ended.has(j.id)) return
    const old = this.jobs.find((x) => x.id === j.id)
    this.jobs = old ? this.jobs.map((x) => (x.id === j.id ? j : x)) : [...this.jobs, j]
    if (j.state !== 'running') {
      this.ended.add(j.id)
      if (j.state === 'succeeded') {
        this.jobs = this.jobs.filter((x) => x.id !== j.id)
        this.onsuccess?.(j)
      }
    }
  }

  // A job just started by this screen, shown until its first update comes.
  started(id: number, title: string) {
    if (!this.ended.has(id) && !this.jobs.some((j) => j.id === id)) {
      this.jobs = [...this.jobs, { id, kind: this.kind, title, state: 'running', progress: 0, message: '', error: '' } as store.Job]
    }
  }

  async cancel(j: store.Job) {
    try {
      await this.api().cancelJob(j.id)
    } catch (e) {
      this.jobs = this.jobs.map((x) => (x.id === j.id ? ({ ...x, error: `Could not cancel: ${message(e)}` } as store.Job) : x))
    }
  }

  dismiss(j: store.Job) {
    this.jobs = this.jobs.filter((x) => x.id !== j.id)
  }
}
