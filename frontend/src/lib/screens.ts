// The screens of the window, in navigation order. Only those marked built
// show content; the others say plainly that they are not there yet.
export interface Screen {
  id: string
  title: string
  built: boolean
  purpose: string
}

export const screens: Screen[] = [
  { id: 'system', title: 'System', built: true, purpose: 'The GPUs, CPU, memory and disk of this machine, live.' },
  { id: 'plan', title: 'Plan', built: true, purpose: 'Which fine-tuning method fits this GPU, and what the whole life cycle costs.' },
  { id: 'datasets', title: 'Datasets', built: true, purpose: 'Drop a file, get a clean dataset and a quality report.' },
  { id: 'train', title: 'Train', built: false, purpose: 'QLoRA or LoRA training with checkpoints and resume.' },
  { id: 'evaluate', title: 'Evaluate', built: false, purpose: 'Adapters against the base model on held-out data.' },
  { id: 'chat', title: 'Chat', built: false, purpose: 'Several adapters on one base model, side by side.' },
  { id: 'adapters', title: 'Adapters', built: true, purpose: 'Base models and the adapters trained on them.' },
]
