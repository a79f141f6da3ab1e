import type { app, core, dataset, hw, model, plan, store, train } from '../../wailsjs/go/models'
import type { ChatSettingsLike, ChatStreamEvent } from './chat'
import type { Detection, ImportOptions, ParseOptions } from './datasets'
import type { SpecLike } from './train'

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
  // Datasets screen. Files dropped anywhere on the window arrive through
  // onFilesDropped (the Go side's "files:dropped" event); an import is a
  // background job whose updates arrive through onJob ("job" events).
  onFilesDropped(cb: (paths: string[]) => void): () => void
  pickFiles(): Promise<string[]>
  detect(path: string, opts: ParseOptions): Promise<Detection>
  importFiles(paths: string[], opts: ImportOptions): Promise<number[]>
  onJob(cb: (j: store.Job) => void): () => void
  jobs(limit: number): Promise<store.Job[]>
  cancelJob(id: number): Promise<void>
  datasets(): Promise<dataset.Dataset[]>
  datasetReport(id: number): Promise<dataset.Report>
  examples(id: number, search: string, offset: number, limit: number): Promise<dataset.Page>
  examplesByID(id: number, ids: number[]): Promise<dataset.Example[]>
  importErrors(id: number, limit: number): Promise<dataset.ImportError[]>
  fix(id: number, fix: string): Promise<dataset.Dataset>
  split(id: number, evalFraction: number, seed: number): Promise<dataset.Dataset[]>
  mix(name: string, parts: dataset.MixPart[], total: number, seed: number): Promise<dataset.Dataset>
  exportDataset(id: number): Promise<string>
  deleteDataset(id: number): Promise<void>
  // Adapters screen, base models: a scan of this machine's model folders,
  // the folders the user added (addModelFolder opens a native picker and
  // answers "" when cancelled), and a download from the Hugging Face Hub,
  // a background job (kind "download") whose updates arrive through onJob.
  models(): Promise<model.Found[]>
  modelFolders(): Promise<string[]>
  addModelFolder(): Promise<string>
  removeModelFolder(path: string): Promise<void>
  downloadModel(repo: string, revision: string, token: string): Promise<number>
  // Train screen: the models here, the datasets and the default settings;
  // a pre-flight of the settings (the first one a run cannot start with,
  // the memory estimate against the device); token lengths of a dataset in
  // a model's tokens; runs (a job of kind "train" in a child process whose
  // steps arrive through onJob), their metrics and the adapters they made;
  // the machine while a run trains (asked once a second).
  trainChoices(): Promise<app.TrainChoices>
  preflight(spec: SpecLike): Promise<app.Preflight>
  // measure runs two real micro-batches in a child process (seconds): step
  // time, the run's minutes, peak memory against free, and the verdict.
  measure(spec: SpecLike): Promise<train.Preflight>
  countTokens(datasetId: number, model: string, seqLen: number): Promise<dataset.TokenLengths>
  startTrain(spec: SpecLike): Promise<app.Started>
  pauseRun(id: number): Promise<void>
  resumeRun(id: number): Promise<number>
  cancelRun(id: number): Promise<void>
  runs(): Promise<store.Run[]>
  run(id: number): Promise<app.RunDetail>
  adapters(): Promise<store.Adapter[]>
  telemetry(): Promise<app.Telemetry>
  // Chat screen: what one can chat with on a base model (the base and the
  // adapters trained on it), stored conversations, and turns: a turn's call
  // answers when every pane has, while its text streams as onChat events
  // tagged with the stream the page named; stopChat ends a stream. The
  // arena: a blind match of two candidates, a vote that reveals them, the
  // win rates, and the decisive votes as TRL preference pairs (a save
  // dialog; path '' when cancelled).
  chatDefaults(): Promise<core.ChatSettings>
  chatCandidates(modelPath: string): Promise<core.ChatCandidate[]>
  conversations(): Promise<store.Conversation[]>
  conversation(id: number): Promise<core.ConversationView>
  newConversation(modelPath: string, system: string, s: ChatSettingsLike): Promise<store.Conversation>
  renameConversation(id: number, title: string): Promise<void>
  saveChatSettings(id: number, system: string, s: ChatSettingsLike): Promise<void>
  deleteConversation(id: number): Promise<void>
  send(stream: string, id: number, panes: string[], text: string): Promise<core.SendResult>
  regenerate(stream: string, id: number, pane: string): Promise<core.PaneAnswer>
  editAndResend(stream: string, id: number, messageId: number, text: string, panes: string[]): Promise<core.SendResult>
  stopChat(stream: string): Promise<void>
  onChat(cb: (e: ChatStreamEvent) => void): () => void
  arenaStart(stream: string, modelPath: string, prompt: string, system: string, s: ChatSettingsLike): Promise<core.ArenaMatch>
  arenaVote(id: number, winner: string): Promise<core.ArenaReveal>
  arenaStats(modelPath: string): Promise<core.ArenaStats>
  exportPreferences(modelPath: string): Promise<core.PreferenceExport>
  // The chat's server (a child `hone serve` on 127.0.0.1 with a random
  // token) for other clients: whether it runs and where; startServer starts
  // it for a base model (or switches it to that model), stopServer stops it.
  chatServer(): Promise<app.ServerState>
  startServer(modelPath: string): Promise<app.ServerState>
  stopServer(): Promise<void>
  copyText(text: string): Promise<boolean>
}

// message is what an error of a HoneAPI call says: Wails rejects with the Go
// error's text, tests with an Error.
export function message(e: unknown): string {
  if (e instanceof Error) return e.message
  if (typeof e === 'string' && e) return e
  return e == null ? 'unknown error' : String(e)
}
