import * as Shell from '../../wailsjs/go/app/Shell'
import * as System from '../../wailsjs/go/app/System'
import * as Plan from '../../wailsjs/go/app/Plan'
import { EventsOn } from '../../wailsjs/runtime/runtime'
import type { hw } from '../../wailsjs/go/models'
import type { HoneAPI } from './api'

// The event name app.ReportEvent emits under.
const reportEvent = 'system:report'

export const wailsAPI: HoneAPI = {
  startupError: Shell.StartupError,
  info: Shell.Info,
  report: System.Report,
  watch: System.Watch,
  onReport: (cb) => EventsOn(reportEvent, (r: hw.Report) => cb(r)),
  painted: Shell.Painted,
  planChoices: Plan.Choices,
  plan: Plan.Plan,
  pickModelFolder: Plan.PickModelFolder,
  pickGGUF: Plan.PickGGUF,
}
