import type { app, hw } from '../../wailsjs/go/models'

// HoneAPI is everything the screens ask of the Go side. The window passes the
// Wails bindings (wails.ts); unit tests pass a stand-in.
export interface HoneAPI {
  startupError(): Promise<string>
  info(): Promise<app.Info>
  report(): Promise<hw.Report>
  watch(on: boolean): Promise<void>
  onReport(cb: (r: hw.Report) => void): () => void
  painted(): Promise<void>
}
