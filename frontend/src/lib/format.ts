// formatBytes prints a size in binary units with one decimal, as the Go side
// (hw.FormatBytes) does, so the window and `hone doctor` agree.
export function formatBytes(b: number): string {
  if (!Number.isFinite(b) || b < 0) return '—'
  if (b < 1024) return `${b} B`
  const units = 'KMGTPE'
  let exp = 0
  let div = 1024
  while (b / div >= 1024 && exp < units.length - 1) {
    div *= 1024
    exp++
  }
  return `${(b / div).toFixed(1)} ${units[exp]}iB`
}

// share is used/total as a percentage in 0..100, for bars.
export function share(used: number, total: number): number {
  if (!(total > 0) || !(used >= 0)) return 0
  return Math.min(100, (used / total) * 100)
}

export function cpuFlags(c: { avx2: boolean; avx512: boolean; fma: boolean; f16c: boolean }): string {
  const f = [
    c.avx2 && 'AVX2',
    c.avx512 && 'AVX-512',
    c.fma && 'FMA',
    c.f16c && 'F16C',
  ].filter(Boolean)
  return f.length ? f.join(' ') : 'no AVX2'
}
