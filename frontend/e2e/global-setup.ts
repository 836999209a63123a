import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

// A webhook receiver on loopback that answers 200 to every POST and remembers what it got,
// so a webhook channel created in the console has somewhere real to deliver to (and one that refuses).
export default async function globalSetup(): Promise<() => Promise<void>> {
  const received: unknown[] = []
  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      if (req.url === '/received') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(received))
        return
      }
      received.push({ path: req.url, body })
      // `/reject…` answers like a vendor refusing the payload, so failed deliveries exist to look at.
      if (req.url?.startsWith('/reject')) {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid_payload","detail":"field text is required"}')
        return
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
    })
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const { port } = server.address() as AddressInfo
  process.env.E2E_SINK_URL = `http://127.0.0.1:${port}`
  return () => new Promise<void>((done) => server.close(() => done()))
}
