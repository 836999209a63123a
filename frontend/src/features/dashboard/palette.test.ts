import { afterEach, describe, expect, it } from 'vitest'
import { defineComponent, h, nextTick } from 'vue'
import { mount } from '@vue/test-utils'
import { useChartPalette, withAlpha, type ChartPalette } from './palette'

describe('withAlpha', () => {
  it('turns rgb and rgba into rgba with the given alpha', () => {
    expect(withAlpha('rgb(10, 20, 30)', 0.1)).toBe('rgba(10, 20, 30, 0.1)')
    expect(withAlpha('rgba(10,20,30,1)', 0.5)).toBe('rgba(10, 20, 30, 0.5)')
    expect(withAlpha('oklch(0.5 0.2 277)', 0.5)).toBe('oklch(0.5 0.2 277)')
  })
})

describe('useChartPalette', () => {
  afterEach(() => {
    document.documentElement.className = ''
    document.documentElement.style.removeProperty('--chart-1')
  })

  it('re-reads the colours when the dark class is toggled on <html>', async () => {
    let seen: ChartPalette | null = null
    let reads = 0
    const Probe = defineComponent({
      setup() {
        const palette = useChartPalette()
        return () => {
          seen = palette.value
          reads++
          return h('div')
        }
      },
    })
    const wrapper = mount(Probe)
    const first = seen
    document.documentElement.classList.add('dark')
    await new Promise((resolve) => setTimeout(resolve, 0))
    await nextTick()
    expect(reads).toBe(2)
    expect(seen).not.toBe(first)
    wrapper.unmount()
    document.documentElement.classList.remove('dark')
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(reads).toBe(2) // observer gone with the component
  })
})
