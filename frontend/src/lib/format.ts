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

// group writes an integer with thousands separators, independent of locale.
export function group(n: number): string {
  if (!Number.isFinite(n)) return '—'
  const s = Math.round(Math.abs(n)).toString()
  return (n < 0 ? '−' : '') + s.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

// fixed prints a number with digits decimals, or a dash when it is not one.
export function fixed(n: number | undefined, digits: number): string {
  return typeof n === 'number' && Number.isFinite(n) ? n.toFixed(digits) : '—'
}

// pct is part of whole as a percentage, 0 when either is not a number; unlike
// share it is not clamped (a bar longer than its scale is cut by its caller).
export function pct(part: number, whole: number): number {
  if (!Number.isFinite(part) || !(whole > 0)) return 0
  return (part / whole) * 100
}

// baseName is the last part of a path: a file or folder shown by its name.
export function baseName(p: string): string {
  const parts = p.split(/[\\/]+/).filter(Boolean)
  return parts.length ? parts[parts.length - 1] : p
}
