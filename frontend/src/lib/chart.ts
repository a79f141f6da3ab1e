// Arithmetic shared by the SVG charts (the Plan screen's cost chart, the
// Datasets screen's length histogram).

// niceTicks are round axis values from 0 to at least max: 4 to 6 steps of
// 1, 2 or 5 times a power of ten.
export function niceTicks(max: number): number[] {
  if (!Number.isFinite(max) || max <= 0) return [0, 1]
  const raw = max / 5
  const pow = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 2.5, 5, 10].map((m) => m * pow).find((s) => s >= raw)!
  const ticks: number[] = []
  for (let v = 0; v < max + step * 0.999; v += step) ticks.push(Math.round(v * 1e6) / 1e6)
  return ticks
}
