// The connection to `deltaduck serve`: the one socket of the app, REST calls, and sign-in when the server
// asks for its access token.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { RequestError, useSocket, type RequestOptions } from '@/composables/useSocket'
import type { Message, Request } from '@/types/protocol'

/** The socket URL of the page's own origin. */
export function socketUrl(location: { protocol: string; host: string } = window.location): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`
}

/** An error answer of the REST API: `{"error": {"type", "message"}}` with its HTTP status. */
export class ApiError extends Error {
  readonly status: number
  readonly type: string
  constructor(status: number, type: string, message: string) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.type = type
  }
}

export const useConnectionStore = defineStore('connection', () => {
  /** The server answered 401: the page needs the access token (the sign-in cookie is missing or stale). */
  const needsToken = ref(false)

  const socket = useSocket(socketUrl(), {
    requestTimeout: 60_000,
    // The gateway answers `ping` itself, at once, whatever the workers are doing.
    heartbeat: {
      interval: 25_000,
      pongTimeout: 10_000,
      message: () => ({ request_to: 'duck', request_endpoint: 'ping', request_args: {} }),
    },
    onDisconnected: (_event, attempt) => {
      // A refused upgrade looks like any failed connection; the REST API says whether a token is missing.
      if (attempt >= 2) void probeAuth()
    },
  })

  async function probeAuth() {
    try {
      const response = await fetch('/api/workers', { headers: { Accept: 'application/json' } })
      needsToken.value = response.status === 401
    } catch {
      // The server is unreachable: the socket's reconnect keeps trying.
    }
  }

  /** A REST call; JSON answers are parsed, error answers thrown as ApiError. */
  async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
    const response = await fetch(path, {
      ...init,
      headers: { Accept: 'application/json', ...(init.body ? { 'Content-Type': 'application/json' } : {}), ...init.headers },
    })
    const text = await response.text()
    let body: unknown = undefined
    try {
      body = text ? JSON.parse(text) : undefined
    } catch {
      body = undefined
    }
    if (!response.ok) {
      if (response.status === 401) needsToken.value = true
      const error = (body as { error?: { type?: string; message?: string } } | undefined)?.error
      throw new ApiError(response.status, error?.type ?? 'HTTP', error?.message ?? `${response.status} ${response.statusText}`)
    }
    return body as T
  }

  /** Signs in with the access token (the server sets its cookie), then reconnects. */
  async function signIn(token: string): Promise<void> {
    const response = await fetch('/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }).toString(),
      redirect: 'manual',
    })
    // A right token answers 303 to the app (an opaque redirect here); a wrong one 401 with the form.
    if (response.type !== 'opaqueredirect' && !response.ok) {
      throw new ApiError(response.status, 'Unauthorized', "that is not this server's token")
    }
    needsToken.value = false
    socket.open()
  }

  /** A request on the socket; its reply, or a RequestError. */
  function request(payload: Request, options?: RequestOptions): Promise<Message> {
    return socket.request(payload, options)
  }

  return {
    status: socket.status,
    attempts: socket.attempts,
    nextAttemptAt: socket.nextAttemptAt,
    needsToken,
    request,
    listen: socket.listen,
    reconnect: socket.open,
    close: socket.close,
    api,
    signIn,
  }
})

export { RequestError }
