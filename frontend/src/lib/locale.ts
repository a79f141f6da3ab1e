// WebKitGTK (the Linux window) reports the POSIX locale as
// navigator.language — "C" under LANG=C, as in CI and in many containers —
// and Intl refuses that tag: uPlot builds an Intl.NumberFormat from it when
// its module loads, and the RangeError stopped the whole page (a blank
// window). Where the tag is refused, the page says en-US instead. main.ts
// imports this module first, before any that formats.
export function fixLanguage(nav: Navigator = navigator): boolean {
  try {
    new Intl.NumberFormat(nav.language)
    return false
  } catch {
    Object.defineProperty(nav, 'language', { value: 'en-US', configurable: true })
    Object.defineProperty(nav, 'languages', { value: ['en-US'], configurable: true })
    return true
  }
}

fixLanguage()
