import * as Shell from '../../wailsjs/go/app/Shell'
import * as System from '../../wailsjs/go/app/System'
import * as Plan from '../../wailsjs/go/app/Plan'
import * as Datasets from '../../wailsjs/go/app/Datasets'
import * as Jobs from '../../wailsjs/go/app/Jobs'
import * as Models from '../../wailsjs/go/app/Models'
import * as Train from '../../wailsjs/go/app/Train'
import * as Chat from '../../wailsjs/go/app/Chat'
import { ClipboardSetText, EventsOn } from '../../wailsjs/runtime/runtime'
import type { core, dataset, hw, parse, store, train } from '../../wailsjs/go/models'
import type { HoneAPI } from './api'
import type { ChatStreamEvent } from './chat'
import { readDetection } from './datasets'

// The event names app.ReportEvent, app.DropEvent and jobs.Event emit under.
const reportEvent = 'system:report'
const dropEvent = 'files:dropped'
const jobEvent = 'job'
const chatEvent = 'chat' // app.ChatEvent

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
  onFilesDropped: (cb) => EventsOn(dropEvent, (paths: string[] | null) => cb(paths ?? [])),
  pickFiles: async () => (await Datasets.PickFiles()) ?? [],
  // Go matches JSON keys to struct fields without regard to case, so the
  // screen's lower-case options fill parse.Options and dataset.ImportOptions.
  detect: async (path, opts) => readDetection(await Datasets.Detect(path, opts as unknown as parse.Options)),
  importFiles: async (paths, opts) => (await Datasets.Import(paths, opts as unknown as dataset.ImportOptions)) ?? [],
  onJob: (cb) => EventsOn(jobEvent, (j: store.Job) => cb(j)),
  jobs: async (limit) => (await Jobs.List(limit)) ?? [],
  cancelJob: Jobs.Cancel,
  datasets: async () => (await Datasets.List()) ?? [],
  datasetReport: Datasets.Report,
  examples: Datasets.Examples,
  examplesByID: async (id, ids) => (await Datasets.ExamplesByID(id, ids)) ?? [],
  importErrors: async (id, limit) => (await Datasets.Errors(id, limit)) ?? [],
  fix: Datasets.Fix,
  split: Datasets.Split,
  mix: Datasets.Mix,
  exportDataset: Datasets.Export,
  deleteDataset: Datasets.Delete,
  models: async () => (await Models.List()) ?? [],
  modelFolders: async () => (await Models.Folders()) ?? [],
  addModelFolder: Models.AddFolder,
  removeModelFolder: Models.RemoveFolder,
  downloadModel: Models.Download,
  trainChoices: Train.Choices,
  // The form's spec has every field the Go side reads; the ones it leaves
  // out (schedule, seed, ...) arrive as zero, which Defaults fills.
  preflight: (spec) => Train.Preflight(spec as unknown as train.Spec),
  measure: (spec) => Train.Measure(spec as unknown as train.Spec),
  countTokens: Datasets.CountTokens,
  startTrain: (spec) => Train.StartTrain(spec as unknown as train.Spec),
  pauseRun: Train.PauseRun,
  resumeRun: Train.ResumeRun,
  cancelRun: Train.CancelRun,
  runs: async () => (await Train.Runs()) ?? [],
  run: Train.Run,
  adapters: async () => (await Train.Adapters()) ?? [],
  telemetry: Train.Telemetry,
  chatDefaults: Chat.Defaults,
  chatCandidates: async (m) => (await Chat.Candidates(m)) ?? [],
  conversations: async () => (await Chat.Conversations()) ?? [],
  conversation: Chat.Conversation,
  // The settings' fields are core.ChatSettings' (an absent seed: none fixed).
  newConversation: (m, sys, s) => Chat.NewConversation(m, sys, s as core.ChatSettings),
  renameConversation: Chat.Rename,
  saveChatSettings: (id, sys, s) => Chat.SaveSettings(id, sys, s as core.ChatSettings),
  deleteConversation: Chat.Delete,
  send: Chat.Send,
  regenerate: Chat.Regenerate,
  editAndResend: Chat.Edit,
  stopChat: Chat.Stop,
  onChat: (cb) => EventsOn(chatEvent, (e: ChatStreamEvent) => cb(e)),
  arenaStart: (stream, m, prompt, sys, s) => Chat.ArenaStart(stream, m, prompt, sys, s as core.ChatSettings),
  arenaVote: Chat.ArenaVote,
  arenaStats: Chat.ArenaStats,
  exportPreferences: Chat.ExportPreferences,
  chatServer: Chat.Server,
  startServer: Chat.StartServer,
  stopServer: Chat.StopServer,
  copyText: ClipboardSetText,
}
