import { onBeforeUnmount, shallowRef, type ShallowRef } from 'vue'

/** Colours for charts, read from the theme's CSS variables so they follow light and dark. */
export interface ChartPalette {
  /** --chart-1 … --chart-5 */
  series: string[]
  text: string
  grid: string
  card: string
}

const SERIES_VARS = ['--chart-1', '--chart-2', '--chart-3', '--chart-4', '--chart-5']

/** `rgb(1, 2, 3)` / `rgba(1, 2, 3, 0.5)` → `rgba(1, 2, 3, alpha)`; anything else is returned as is. */
export function withAlpha(color: string, alpha: number): string {
  const m = /^rgba?\(\s*(\d+)[\s,]+(\d+)[\s,]+(\d+)/i.exec(color.trim())
  return m ? `rgba(${m[1]}, ${m[2]}, ${m[3]}, ${alpha})` : color
}

let probe: CanvasRenderingContext2D | null | undefined
/**
 * Chart.js mixes colours itself (hover shades, transparency) and only understands rgb/hex/hsl, while
 * the theme is written in oklch: let the browser paint one pixel and read back plain rgb.
 */
export function toRgb(color: string): string {
  if (probe === undefined) probe = document.createElement('canvas').getContext('2d', { willReadFrequently: true })
  if (!probe || !color) return color
  probe.clearRect(0, 0, 1, 1)
  probe.fillStyle = '#000'
  probe.fillStyle = color
  probe.fillRect(0, 0, 1, 1)
  const [r, g, b] = probe.getImageData(0, 0, 1, 1).data
  return `rgb(${r}, ${g}, ${b})`
}

export function readPalette(root: HTMLElement = document.documentElement): ChartPalette {
  const style = getComputedStyle(root)
  const read = (name: string) => toRgb(style.getPropertyValue(name).trim())
  return {
    series: SERIES_VARS.map(read),
    text: read('--muted-foreground'),
    grid: read('--border'),
    card: read('--card'),
  }
}

/** The palette, re-read whenever the `dark` class (or any class) on <html> changes. */
export function useChartPalette(): ShallowRef<ChartPalette> {
  const palette = shallowRef(readPalette())
  const observer = new MutationObserver(() => (palette.value = readPalette()))
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['class'] })
  onBeforeUnmount(() => observer.disconnect())
  return palette
}
