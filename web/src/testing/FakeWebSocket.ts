// A WebSocket stand-in for unit tests: records what is sent, lets a test open, answer and close it.
export class FakeWebSocket {
  static instances: FakeWebSocket[] = []
  static readonly CONNECTING = 0
  static readonly OPEN = 1
  static readonly CLOSING = 2
  static readonly CLOSED = 3

  readonly url: string
  readyState = 0
  sent: string[] = []
  closedWith: { code?: number; reason?: string } | null = null
  onopen: ((event: Event) => void) | null = null
  onmessage: ((event: MessageEvent) => void) | null = null
  onclose: ((event: CloseEvent) => void) | null = null
  onerror: ((event: Event) => void) | null = null

  constructor(url: string) {
    this.url = url
    FakeWebSocket.instances.push(this)
  }

  static reset() {
    FakeWebSocket.instances = []
  }

  static get last(): FakeWebSocket {
    return FakeWebSocket.instances[FakeWebSocket.instances.length - 1]
  }

  /** Sent messages, parsed. */
  get requests(): Record<string, any>[] {
    return this.sent.map((text) => JSON.parse(text))
  }

  send(text: string) {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open')
    this.sent.push(text)
  }

  close(code?: number, reason?: string) {
    this.closedWith = { code, reason }
    this.drop(code ?? 1005)
  }

  // --- what the server side of a test does ---

  accept() {
    this.readyState = 1
    this.onopen?.(new Event('open'))
  }

  reply(message: unknown) {
    this.onmessage?.({ data: JSON.stringify(message) } as MessageEvent)
  }

  /** The connection ends (server gone, network lost). */
  drop(code = 1006) {
    if (this.readyState === 3) return
    this.readyState = 3
    this.onclose?.({ code, reason: '', wasClean: code === 1000 } as CloseEvent)
  }
}
