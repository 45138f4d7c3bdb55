import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope } from 'vue'
import { RequestError, backoff, isReply, useSocket } from './useSocket'
import { FakeWebSocket } from '@/testing/FakeWebSocket'

const WS = FakeWebSocket as unknown as typeof WebSocket
const query = { request_to: 'duck' as const, request_endpoint: 'querydata', request_args: { request_query: 'SELECT 1' } }

describe('useSocket', () => {
  beforeEach(() => {
    FakeWebSocket.reset()
    vi.useFakeTimers()
  })
  afterEach(() => vi.useRealTimers())

  it('reports its status and sends what was buffered while connecting, in order', () => {
    const socket = useSocket('ws://host/ws', { WebSocket: WS })
    expect(socket.status.value).toBe('CONNECTING')
    expect(FakeWebSocket.last.url).toBe('ws://host/ws')
    socket.send({ ...query, request_id: 'a' })
    socket.send({ ...query, request_id: 'b' })
    expect(FakeWebSocket.last.sent).toHaveLength(0)
    FakeWebSocket.last.accept()
    expect(socket.status.value).toBe('OPEN')
    expect(FakeWebSocket.last.requests.map((r) => r.request_id)).toEqual(['a', 'b'])
    socket.close()
  })

  it('matches replies to requests by request_id; progress and held are not replies', async () => {
    const socket = useSocket('ws://host/ws', { WebSocket: WS })
    FakeWebSocket.last.accept()
    const seen: unknown[] = []
    const first = socket.request({ ...query, request_id: 'one' }, { onMessage: (m) => seen.push(m) })
    const second = socket.request({ ...query, request_id: 'two' })
    FakeWebSocket.last.reply({ request_id: 'two', data: { message: 'second' } })
    FakeWebSocket.last.reply({ request_id: 'one', progress: { done: 1, total: 2 } })
    FakeWebSocket.last.reply({ request_id: 'one', data: { message: 'first' } })
    await expect(second).resolves.toMatchObject({ data: { message: 'second' } })
    await expect(first).resolves.toMatchObject({ data: { message: 'first' } })
    expect(seen).toEqual([{ request_id: 'one', progress: { done: 1, total: 2 } }])
    expect(isReply({ held: { result_id: 'x', complete: true } })).toBe(false)
    socket.close()
  })

  it('gives every request an id of its own and keeps listening after the reply', async () => {
    const socket = useSocket('ws://host/ws', { WebSocket: WS })
    FakeWebSocket.last.accept()
    const reply = socket.request(query)
    const id = FakeWebSocket.last.requests[0].request_id as string
    expect(id).toMatch(/^r-[0-9a-f]{16}$/)
    const later = vi.fn()
    const stop = socket.listen(id, later)
    FakeWebSocket.last.reply({ request_id: id, data: { result_id: 'h' } })
    await reply
    FakeWebSocket.last.reply({ request_id: id, held: { result_id: 'h', row_count: 5, complete: true } })
    expect(later).toHaveBeenCalledTimes(2)
    stop()
    FakeWebSocket.last.reply({ request_id: id, held: { result_id: 'h', complete: true } })
    expect(later).toHaveBeenCalledTimes(2)
    socket.close()
  })

  it("rejects with the server's error type and message", async () => {
    const socket = useSocket('ws://host/ws', { WebSocket: WS })
    FakeWebSocket.last.accept()
    const reply = socket.request({ ...query, request_id: 'bad' })
    FakeWebSocket.last.reply({ request_id: 'bad', error: { type: 'InvalidInput', message: 'Parser Error: syntax error at or near "SELEC"' } })
    await expect(reply).rejects.toMatchObject({ name: 'RequestError', type: 'InvalidInput', message: 'Parser Error: syntax error at or near "SELEC"' })
    socket.close()
  })

  it('times out a request that hears nothing, and cancels it on the server', async () => {
    const socket = useSocket('ws://host/ws', { WebSocket: WS, requestTimeout: 1000 })
    FakeWebSocket.last.accept()
    const reply = socket.request({ ...query, request_id: 'slow' })
    const failed = expect(reply).rejects.toMatchObject({ type: 'Timeout' })
    // Progress resets the wait: it is a timeout for silence.
    vi.advanceTimersByTime(800)
    FakeWebSocket.last.reply({ request_id: 'slow', progress: { done: 1, total: 3 } })
    vi.advanceTimersByTime(800)
    expect(FakeWebSocket.last.requests).toHaveLength(1)
    vi.advanceTimersByTime(300)
    await failed
    expect(FakeWebSocket.last.requests[1]).toMatchObject({ request_endpoint: 'cancel', request_args: { request_id: 'slow' } })
    socket.close()
  })

  it('reconnects with back-off; requests lost with the socket fail, buffered ones go out on the new one', async () => {
    const socket = useSocket('ws://host/ws', { WebSocket: WS, autoReconnect: { delay: (n) => n * 100 } })
    const first = FakeWebSocket.last
    first.accept()
    const lost = socket.request({ ...query, request_id: 'lost' })
    first.drop()
    await expect(lost).rejects.toMatchObject({ type: 'Disconnected' })
    expect(socket.status.value).toBe('CLOSED')
    expect(socket.attempts.value).toBe(1)
    const waiting = socket.request({ ...query, request_id: 'waiting' })
    vi.advanceTimersByTime(99)
    expect(FakeWebSocket.instances).toHaveLength(1)
    vi.advanceTimersByTime(1)
    expect(FakeWebSocket.instances).toHaveLength(2)
    FakeWebSocket.last.drop()
    expect(socket.attempts.value).toBe(2)
    vi.advanceTimersByTime(200)
    FakeWebSocket.last.accept()
    expect(socket.attempts.value).toBe(0)
    expect(FakeWebSocket.last.requests.map((r) => r.request_id)).toEqual(['waiting'])
    FakeWebSocket.last.reply({ request_id: 'waiting', data: { message: 'ok' } })
    await expect(waiting).resolves.toMatchObject({ data: { message: 'ok' } })
    socket.close()
  })

  it('backs off from half a second up to ten', () => {
    expect(backoff(1)).toBeGreaterThanOrEqual(425)
    expect(backoff(1)).toBeLessThanOrEqual(575)
    expect(backoff(30)).toBeLessThanOrEqual(11_500)
  })

  it('sends a heartbeat when idle and reconnects when nothing answers it', () => {
    const socket = useSocket('ws://host/ws', {
      WebSocket: WS,
      autoReconnect: { delay: () => 10 },
      heartbeat: { interval: 1000, pongTimeout: 500, message: () => ({ request_to: 'duck', request_endpoint: 'ping', request_args: {} }) },
    })
    const first = FakeWebSocket.last
    first.accept()
    vi.advanceTimersByTime(1000)
    expect(first.requests.at(-1)).toMatchObject({ request_endpoint: 'ping' })
    // An answer in time keeps it open.
    first.reply({ request_id: first.requests.at(-1)!.request_id, data: { message: 'pong' } })
    vi.advanceTimersByTime(600)
    expect(first.closedWith).toBeNull()
    // Silence after the next heartbeat closes it, and a new socket opens.
    vi.advanceTimersByTime(2000)
    expect(first.closedWith?.code).toBe(4000)
    vi.advanceTimersByTime(10)
    expect(FakeWebSocket.instances.length).toBe(2)
    socket.close()
  })

  it('closes for good when its scope ends, failing what still waits', async () => {
    const scope = effectScope()
    const socket = scope.run(() => useSocket('ws://host/ws', { WebSocket: WS, autoReconnect: { delay: () => 10 } }))!
    FakeWebSocket.last.accept()
    const pending = socket.request(query)
    scope.stop()
    await expect(pending).rejects.toBeInstanceOf(RequestError)
    expect(FakeWebSocket.last.closedWith?.code).toBe(1000)
    expect(socket.status.value).toBe('CLOSED')
    vi.advanceTimersByTime(1000)
    expect(FakeWebSocket.instances).toHaveLength(1)
  })

  it('an aborted request fails at once and is cancelled on the server', async () => {
    const socket = useSocket('ws://host/ws', { WebSocket: WS })
    FakeWebSocket.last.accept()
    const abort = new AbortController()
    const reply = socket.request({ ...query, request_id: 'stop-me' }, { signal: abort.signal })
    abort.abort()
    await expect(reply).rejects.toMatchObject({ type: 'Interrupted' })
    expect(FakeWebSocket.last.requests[1]).toMatchObject({ request_endpoint: 'cancel', request_args: { request_id: 'stop-me' } })
    socket.close()
  })
})
