import type { app, core, hw, plan } from '../../wailsjs/go/models'

// HoneAPI is everything the screens ask of the Go side. The window passes the
// Wails bindings (wails.ts); unit tests pass a stand-in.
export interface HoneAPI {
  startupError(): Promise<string>
  info(): Promise<app.Info>
  report(): Promise<hw.Report>
  watch(on: boolean): Promise<void>
  onReport(cb: (r: hw.Report) => void): () => void
  painted(): Promise<void>
  // Plan screen: the models, cards and GPUs one can plan for; a plan, as
  // `hone plan` makes it; native pickers that answer "" when cancelled.
  planChoices(): Promise<core.PlanChoices>
  plan(req: plan.Request): Promise<plan.Result>
  pickModelFolder(): Promise<string>
  pickGGUF(): Promise<string>
}
