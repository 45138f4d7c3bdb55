// The one WebSocket client of the app, modelled on VueUse `useWebSocket`: a reactive status, automatic
// reconnect with back-off, a heartbeat, a send buffer while the socket is not open, and requests matched to
// their replies by `request_id` with a timeout each. It closes when the effect scope that made it ends.
import { getCurrentScope, onScopeDispose, ref, shallowRef, toValue, type MaybeRefOrGetter } from 'vue'
import type { ErrorInfo, Message, Request } from '@/types/protocol'

export type SocketStatus = 'CONNECTING' | 'OPEN' | 'CLOSED'

export interface SocketOptions {
  /** Open at once (default true). */
  immediate?: boolean
  /** Reconnect after an unexpected close; `delay(attempt)` gives the wait before attempt n (1, 2, ...). */
  autoReconnect?: false | { retries?: number; delay?: (attempt: number) => number }
  /**
   * While open, send `message()` when nothing arrived for `interval` ms; any message arriving within
   * `pongTimeout` ms proves the connection alive, else it is closed (and reconnects).
   */
  heartbeat?: false | { interval?: number; pongTimeout?: number; message: () => Omit<Request, 'request_id'> }
  /** Default time a request may go without any message about it before it fails (ms). */
  requestTimeout?: number
  /** Messages kept while the socket is not open; the oldest are dropped beyond this. */
  bufferLimit?: number
  /** Called when the socket failed to open or closed unexpectedly (before a reconnect is scheduled). */
  onDisconnected?: (event: CloseEvent | undefined, attempt: number) => void
  /** WebSocket constructor (tests pass a fake). */
  WebSocket?: typeof WebSocket
}

export interface RequestOptions {
  /** Fail when no message about the request arrived for this long (ms); 0 waits forever. */
  timeout?: number
  /** Every message for this request before its reply: progress, held, job. */
  onMessage?: (message: Message) => void
  /** An abort signal: the request fails at once and, if sent, is cancelled on the server. */
  signal?: AbortSignal
}

/** A request that ended without a reply, or whose reply is an error. */
export class RequestError extends Error {
  readonly type: string
  readonly reply?: Message
  constructor(type: string, message: string, reply?: Message) {
    super(message)
    this.name = 'RequestError'
    this.type = type
    this.reply = reply
  }
  static fromInfo(info: ErrorInfo, reply?: Message): RequestError {
    return new RequestError(info.type, info.message, reply)
  }
}

/** Progress and held messages accompany a request; everything else is its reply. */
export function isReply(message: Message): boolean {
  return message.progress === undefined && message.held === undefined
}

/** Request ids: random, so ids of a reloaded page never collide with its earlier ones. */
export function newRequestId(prefix = 'r'): string {
  const bytes = new Uint8Array(8)
  crypto.getRandomValues(bytes)
  return prefix + '-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

/** 0.5 s, 1 s, 2 s, ... up to 10 s, with some jitter so many tabs do not come back at once. */
export function backoff(attempt: number): number {
  const base = Math.min(10_000, 500 * 2 ** Math.max(0, attempt - 1))
  return Math.round(base * (0.85 + Math.random() * 0.3))
}

interface Pending {
  resolve: (message: Message) => void
  reject: (error: RequestError) => void
  onMessage?: (message: Message) => void
  timeout: number
  timer?: ReturnType<typeof setTimeout>
  /** The socket generation it was sent on; undefined while still in the buffer. */
  sentOn?: number
  cancel: Omit<Request, 'request_id' | 'request_args'>
}

export function useSocket(url: MaybeRefOrGetter<string>, options: SocketOptions = {}) {
  const {
    immediate = true,
    autoReconnect = {},
    heartbeat = false,
    requestTimeout = 60_000,
    bufferLimit = 256,
    onDisconnected,
  } = options
  const Socket = options.WebSocket ?? globalThis.WebSocket

  const status = ref<SocketStatus>('CLOSED')
  /** Failed opens or unexpected closes since the last successful open. */
  const attempts = ref(0)
  /** When the next reconnect attempt is due (epoch ms), or null. */
  const nextAttemptAt = ref<number | null>(null)
  const ws = shallowRef<WebSocket>()

  const pending = new Map<string, Pending>()
  const listeners = new Map<string, Set<(message: Message) => void>>()
  let buffer: { id?: string; text: string }[] = []
  let generation = 0
  let explicitlyClosed = false
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined
  let heartbeatTimer: ReturnType<typeof setInterval> | undefined
  let pongTimer: ReturnType<typeof setTimeout> | undefined
  let lastMessageAt = 0

  function armTimer(id: string, entry: Pending) {
    if (entry.timer) clearTimeout(entry.timer)
    if (entry.timeout <= 0) return
    entry.timer = setTimeout(() => {
      fail(id, new RequestError('Timeout', `no answer from the server within ${Math.round(entry.timeout / 1000)} s`))
      // The server may still be working on it: stop that work.
      if (entry.sentOn !== undefined && status.value === 'OPEN') {
        sendNow({ ...entry.cancel, request_endpoint: 'cancel', request_args: { request_id: id }, request_id: newRequestId('c') })
      }
    }, entry.timeout)
  }

  function fail(id: string, error: RequestError) {
    const entry = pending.get(id)
    if (!entry) return
    if (entry.timer) clearTimeout(entry.timer)
    pending.delete(id)
    buffer = buffer.filter((queued) => queued.id !== id)
    entry.reject(error)
  }

  function dispatch(message: Message) {
    lastMessageAt = Date.now()
    if (pongTimer) {
      clearTimeout(pongTimer)
      pongTimer = undefined
    }
    const id = message.request_id ?? undefined
    if (id) {
      const entry = pending.get(id)
      if (entry) {
        if (isReply(message)) {
          if (entry.timer) clearTimeout(entry.timer)
          pending.delete(id)
          if (message.error) entry.reject(RequestError.fromInfo(message.error, message))
          else entry.resolve(message)
        } else {
          armTimer(id, entry)
          entry.onMessage?.(message)
        }
      }
      listeners.get(id)?.forEach((listener) => listener(message))
    }
  }

  function sendNow(payload: Request): boolean {
    if (!ws.value || ws.value.readyState !== 1) return false
    ws.value.send(JSON.stringify(payload))
    return true
  }

  function flush() {
    const queued = buffer
    buffer = []
    for (const item of queued) {
      ws.value!.send(item.text)
      if (item.id) {
        const entry = pending.get(item.id)
        if (entry) entry.sentOn = generation
      }
    }
  }

  /** Sends a message now, or keeps it until the socket is open. */
  function send(payload: Request): boolean {
    if (status.value === 'OPEN' && buffer.length === 0) return sendNow(payload)
    buffer.push({ id: payload.request_id, text: JSON.stringify(payload) })
    while (buffer.length > bufferLimit) {
      const dropped = buffer.shift()!
      if (dropped.id) fail(dropped.id, new RequestError('Disconnected', 'too many requests waiting for the connection'))
    }
    return false
  }

  /** Sends a request and resolves with its reply (rejects with the reply's error, a timeout or a lost socket). */
  function request(payload: Request, requestOptions: RequestOptions = {}): Promise<Message> {
    const id = payload.request_id ?? newRequestId()
    const full: Request = { ...payload, request_id: id }
    const { signal } = requestOptions
    return new Promise<Message>((resolve, reject) => {
      if (signal?.aborted) {
        reject(new RequestError('Interrupted', 'cancelled before it was sent'))
        return
      }
      const entry: Pending = {
        resolve,
        reject,
        onMessage: requestOptions.onMessage,
        timeout: requestOptions.timeout ?? requestTimeout,
        cancel: { request_to: payload.request_to, request_endpoint: 'cancel' },
      }
      pending.set(id, entry)
      armTimer(id, entry)
      signal?.addEventListener(
        'abort',
        () => {
          const sent = pending.get(id)?.sentOn !== undefined
          fail(id, new RequestError('Interrupted', 'cancelled'))
          if (sent) send({ request_to: payload.request_to, request_endpoint: 'cancel', request_args: { request_id: id }, request_id: newRequestId('c') })
        },
        { once: true },
      )
      if (send(full)) entry.sentOn = generation
    })
  }

  /** Calls `handler` with every message carrying this request id (also after the reply). */
  function listen(requestId: string, handler: (message: Message) => void): () => void {
    let set = listeners.get(requestId)
    if (!set) listeners.set(requestId, (set = new Set()))
    set.add(handler)
    return () => {
      set!.delete(handler)
      if (set!.size === 0) listeners.delete(requestId)
    }
  }

  function stopHeartbeat() {
    if (heartbeatTimer) clearInterval(heartbeatTimer)
    if (pongTimer) clearTimeout(pongTimer)
    heartbeatTimer = pongTimer = undefined
  }

  function startHeartbeat() {
    if (!heartbeat) return
    const { interval = 25_000, pongTimeout = 10_000, message } = heartbeat
    heartbeatTimer = setInterval(() => {
      if (status.value !== 'OPEN' || pongTimer) return
      if (Date.now() - lastMessageAt < interval) return
      sendNow({ ...message(), request_id: newRequestId('hb') })
      pongTimer = setTimeout(() => {
        pongTimer = undefined
        // Half-open: nothing came back. Closing it starts a reconnect.
        ws.value?.close(4000, 'heartbeat timeout')
      }, pongTimeout)
    }, Math.max(250, Math.floor(interval / 2)))
  }

  function scheduleReconnect(event?: CloseEvent) {
    attempts.value++
    onDisconnected?.(event, attempts.value)
    if (!autoReconnect || explicitlyClosed) return
    const { retries = Infinity, delay = backoff } = autoReconnect
    if (attempts.value > retries) return
    const wait = delay(attempts.value)
    nextAttemptAt.value = Date.now() + wait
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined
      nextAttemptAt.value = null
      connect()
    }, wait)
  }

  function connect() {
    if (ws.value && ws.value.readyState <= 1) return
    const mine = ++generation
    status.value = 'CONNECTING'
    const socket = new Socket(toValue(url))
    ws.value = socket
    socket.onopen = () => {
      if (mine !== generation) return
      status.value = 'OPEN'
      attempts.value = 0
      lastMessageAt = Date.now()
      flush()
      startHeartbeat()
    }
    socket.onmessage = (event: MessageEvent) => {
      if (mine !== generation) return
      let message: Message
      try {
        message = JSON.parse(String(event.data))
      } catch {
        return
      }
      dispatch(message)
    }
    socket.onclose = (event: CloseEvent) => {
      if (mine !== generation) return
      status.value = 'CLOSED'
      stopHeartbeat()
      ws.value = undefined
      // The server cancels what a closed socket was running: those requests will never be answered.
      for (const [id, entry] of [...pending]) {
        if (entry.sentOn === mine) fail(id, new RequestError('Disconnected', 'the connection to the server was lost'))
      }
      if (!explicitlyClosed) scheduleReconnect(event)
    }
  }

  /** Opens the socket (again); also cancels a pending reconnect wait and connects now. */
  function open() {
    explicitlyClosed = false
    if (reconnectTimer) clearTimeout(reconnectTimer)
    reconnectTimer = undefined
    nextAttemptAt.value = null
    connect()
  }

  /** Closes for good: no reconnect; requests still waiting fail. */
  function close(code = 1000, reason?: string) {
    explicitlyClosed = true
    if (reconnectTimer) clearTimeout(reconnectTimer)
    reconnectTimer = undefined
    nextAttemptAt.value = null
    stopHeartbeat()
    const socket = ws.value
    generation++
    ws.value = undefined
    status.value = 'CLOSED'
    socket?.close(code, reason)
    for (const id of [...pending.keys()]) fail(id, new RequestError('Disconnected', 'the connection was closed'))
    buffer = []
  }

  if (immediate) open()
  if (getCurrentScope()) onScopeDispose(() => close())

  return { status, attempts, nextAttemptAt, ws, open, close, send, request, listen }
}

export type Socket = ReturnType<typeof useSocket>
