// The screens of the window, in navigation order: App.svelte draws the
// navigation from this list and renders the chosen screen's component. A new
// screen is one entry here; until it is built, its entry is a placeholder
// (NotBuilt) that says plainly what the screen will do.
import type { Component } from 'svelte'
import type { HoneAPI } from './api'
import type { TrainDraft } from './draft.svelte'
import Adapters from '../screens/Adapters.svelte'
import Chat from '../screens/Chat.svelte'
import Datasets from '../screens/Datasets.svelte'
import NotBuilt from '../screens/NotBuilt.svelte'
import Plan from '../screens/Plan.svelte'
import System from '../screens/System.svelte'
import Train from '../screens/Train.svelte'

// What App hands every screen; each declares only the props it uses.
export interface ScreenProps {
  api: HoneAPI
  // The screen's own entry: a placeholder shows its purpose.
  screen: Screen
  // Paths of files dropped on the window, waiting for the Datasets screen,
  // which takes them and calls ontake.
  dropped: string[]
  ontake: () => void
  // Settings the Plan and Datasets screens hand to the Train screen, and
  // the way to open another screen (by its id).
  draft: TrainDraft
  navigate: (id: string) => void
}

export interface Screen {
  id: string
  title: string
  purpose: string
  built: boolean
  component: Component<ScreenProps>
}

function built(id: string, title: string, component: Component<ScreenProps>, purpose: string): Screen {
  return { id, title, purpose, built: true, component }
}

function notBuilt(id: string, title: string, purpose: string): Screen {
  return { id, title, purpose, built: false, component: NotBuilt }
}

export const screens: Screen[] = [
  built('system', 'System', System, 'The GPUs, CPU, memory and disk of this machine, live.'),
  built('plan', 'Plan', Plan, 'Which fine-tuning method fits this GPU, and what the whole life cycle costs.'),
  built('datasets', 'Datasets', Datasets, 'Drop a file, get a clean dataset and a quality report.'),
  built('train', 'Train', Train, 'QLoRA or LoRA training with checkpoints and resume.'),
  notBuilt('evaluate', 'Evaluate', 'Adapters against the base model on held-out data.'),
  built('chat', 'Chat', Chat, 'Several adapters on one base model, side by side, and a blind arena.'),
  built('adapters', 'Adapters', Adapters, 'Base models and the adapters trained on them.'),
]
