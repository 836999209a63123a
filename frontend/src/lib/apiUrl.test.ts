import { describe, expect, it } from 'vitest'
import { apiUrl, socketUrl } from './apiUrl'

describe('apiUrl', () => {
  it('resolves below the path prefix from any console page', () => {
    expect(apiUrl('graphql', 'https://example.com/pushnest/')).toBe('https://example.com/pushnest/graphql')
    expect(apiUrl('graphql', 'http://127.0.0.1:8000/')).toBe('http://127.0.0.1:8000/graphql')
  })

  it('gives WebSockets the scheme that matches the page', () => {
    expect(socketUrl('graphql', 'https://example.com/pushnest/')).toBe('wss://example.com/pushnest/graphql')
    expect(socketUrl('graphql', 'http://127.0.0.1:8000/')).toBe('ws://127.0.0.1:8000/graphql')
  })
})
