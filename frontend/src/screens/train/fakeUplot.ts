// A stand-in for uPlot in the component tests: jsdom has no canvas (and no
// matchMedia, which uPlot reads when it loads). It records what each chart
// was given, so a test can check the series a chart draws.
//   vi.mock('uplot', () => import('./train/fakeUplot'))
export default class FakePlot {
  static charts: FakePlot[] = []
  opts: { series: { label?: string }[] }
  data: (number | null)[][]
  destroyed = false

  constructor(opts: { series: { label?: string }[] }, data: (number | null)[][], target: HTMLElement) {
    this.opts = opts
    this.data = data
    target.dataset.fakePlot = String(FakePlot.charts.length)
    FakePlot.charts.push(this)
  }

  setData(data: (number | null)[][]) {
    this.data = data
  }

  setSize() {}

  destroy() {
    this.destroyed = true
  }

  // labels are the names of the lines, x excluded.
  get labels(): string[] {
    return this.opts.series.slice(1).map((s) => s.label ?? '')
  }
}
