// What the Plan and Datasets screens hand to the Train screen: App holds
// one, passes it to every screen, and the Train screen takes it when it
// opens. A draft replaces only the fields it sets (applyDraft).
import type { Draft } from './train'

export class TrainDraft {
  value = $state<Draft | null>(null)

  // set merges into a draft not yet taken: a dataset chosen after a plan
  // keeps the plan's model.
  set(d: Draft) {
    this.value = { ...(this.value ?? {}), ...d }
  }

  take(): Draft | null {
    const d = this.value
    this.value = null
    return d
  }
}
