"""Helpers for the gateway tests: a real `deltaduck serve` process, real WebSocket and HTTP clients over loopback.

Nothing here fakes the server: every helper talks to the process the test started, by its pid and its port.
"""

import base64
import http.client
import json
import os
import re
import signal
import socket
import struct
import subprocess
import threading
import time
import urllib.parse

from websockets.sync.client import connect as ws_connect

BINARY = os.environ.get("DELTADUCK_BINARY", "/work/main/build/deltaduck")
READY = re.compile(r"DeltaDuck ready at http://(\S+?):(\d+)/")
#: Deadline for anything that should happen "soon" on a loaded 2-core machine. Conditions are polled; this only
#: bounds a server that never gets there.
DEADLINE = 60.0


class ServerExited(Exception):
    pass


class Server:
    """One `deltaduck serve` process. Started with --listen 127.0.0.1:0 (unless told otherwise); ready when it
    prints its ready line; stopped by its own pid."""

    def __init__(self, data_dir, *flags, listen="127.0.0.1:0", quiet=True, env=None, log_dir=None):
        self.data_dir = str(data_dir)
        self.flags = list(flags)
        self.listen = listen
        self.log_dir = str(log_dir or data_dir)
        self.stdout_lines = []
        self.port = None
        self.host = None
        self.returncode = None
        args = [BINARY, "serve", "--data", self.data_dir, "--listen", listen]
        if quiet:
            args.append("--quiet")
        args += self.flags
        self.args = args
        self.stderr_path = os.path.join(self.log_dir, f"serve-{time.monotonic_ns()}.err")
        self._stderr = open(self.stderr_path, "wb")
        full_env = dict(os.environ)
        for name in list(full_env):
            if name.startswith("DELTADUCK_") and name != "DELTADUCK_BINARY":
                del full_env[name]  # flags only: no setting leaks in from the caller's environment
        full_env.update(env or {})
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self._stderr, stdin=subprocess.DEVNULL,
                                     env=full_env)
        self.pid = self.proc.pid
        self._ready = threading.Event()
        self._reader = threading.Thread(target=self._read_stdout, daemon=True)
        self._reader.start()

    def _read_stdout(self):
        for raw in self.proc.stdout:
            line = raw.decode(errors="replace").rstrip("\n")
            self.stdout_lines.append(line)
            match = READY.search(line)
            if match and not self._ready.is_set():
                self.host, self.port = match.group(1), int(match.group(2))
                self._ready.set()
        self._ready.set()  # EOF: the process ended (wait_ready tells the two apart)

    def wait_ready(self, timeout=DEADLINE):
        if not self._ready.wait(timeout):
            self.kill()
            raise AssertionError(f"server printed no ready line in {timeout} s: {self.args}")
        if self.port is None:
            self.proc.wait(timeout=DEADLINE)
            raise ServerExited(f"server exited with {self.proc.returncode} before it was ready: "
                               f"{self.stdout_text()} {self.stderr_text()}")
        return self

    def stdout_text(self):
        return "\n".join(self.stdout_lines)

    def stderr_text(self):
        self._stderr.flush()
        with open(self.stderr_path, "rb") as f:
            return f.read().decode(errors="replace")

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self):
        return f"ws://127.0.0.1:{self.port}/ws"

    def alive(self):
        return self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=DEADLINE):
        """Signals the process and waits for it; SIGKILL after `timeout`. Returns the exit status."""
        if self.proc.poll() is None:
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        self.returncode = self.proc.returncode
        self._stderr.close()
        return self.returncode

    def kill(self):
        if self.proc.poll() is None:
            os.kill(self.pid, signal.SIGKILL)
            self.proc.wait(timeout=DEADLINE)

    def status_kb(self, field):
        """A field of /proc/<pid>/status in kB (VmRSS, VmHWM)."""
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        raise KeyError(field)

    # --- HTTP -------------------------------------------------------------------------------------------------

    def http(self, method, path, body=None, headers=None, timeout=DEADLINE):
        return http_request(self.port, method, path, body, headers, timeout)

    def get_json(self, path, headers=None):
        status, _, body = self.http("GET", path, headers=headers)
        return status, json.loads(body)

    def post_json(self, path, obj, headers=None):
        all_headers = {"Content-Type": "application/json"}
        all_headers.update(headers or {})
        status, _, body = self.http("POST", path, json.dumps(obj).encode(), all_headers)
        return status, json.loads(body)

    def metrics(self):
        status, _, body = self.http("GET", "/metrics")
        assert status == 200
        return parse_metrics(body.decode())

    # --- WebSocket ----------------------------------------------------------------------------------------------

    def client(self, **kwargs):
        return Client(self.ws_url, **kwargs)


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def __iter__(self):
        return iter((self.status, self.headers, self.body))


def http_request(port, method, path, body=None, headers=None, timeout=DEADLINE, host="127.0.0.1"):
    """One HTTP request on a new connection: (status, {lowercase header: value}, body bytes). Never raises on
    4xx/5xx."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        return Response(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
    finally:
        conn.close()


def parse_metrics(text):
    """Prometheus text exposition -> {(name, frozenset of (label, value)): float}."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)$', line)
        assert match, f"not a Prometheus sample line: {line!r}"
        labels = frozenset(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', match.group(3) or ""))
        out[(match.group(1), labels)] = float(match.group(4))
    return out


def metric(samples, name, **labels):
    """The value of one sample (0 when absent: a counter not yet incremented)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def wait_until(condition, timeout=DEADLINE, interval=0.02, message="condition"):
    """Polls `condition` until it returns a truthy value; fails after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {message}")
        time.sleep(interval)


def request(to, endpoint, args=None, request_id=None):
    message = {"request_to": to, "request_endpoint": endpoint, "request_args": args if args is not None else {}}
    if request_id is not None:
        message["request_id"] = request_id
    return message


def query_args(sql, contents=("Message",), render=None, **extra):
    args = {"request_query": sql, "request_contents": list(contents)}
    if render is not None:
        args["request_render"] = render
    args.update(extra)
    return args


def is_final(message):
    """Progress, held and pushed job messages come before or after a request's reply; the reply is the rest."""
    return "progress" not in message and "held" not in message


class Client:
    """A WebSocket client over one socket. Messages for other request ids are kept for later `reply` calls."""

    def __init__(self, url, origin=None, headers=None, max_size=None, **kwargs):
        self.ws = ws_connect(url, origin=origin, additional_headers=headers, max_size=max_size,
                             open_timeout=DEADLINE, close_timeout=10, **kwargs)
        self.backlog = []
        self.counter = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self.ws.close()

    def next_id(self):
        self.counter += 1
        return f"r{self.counter}"

    def send(self, message):
        self.ws.send(message if isinstance(message, (str, bytes)) else json.dumps(message))

    def recv(self, timeout=DEADLINE):
        if self.backlog:
            return self.backlog.pop(0)
        return json.loads(self.ws.recv(timeout=timeout))

    def recv_raw(self, timeout=DEADLINE):
        return self.ws.recv(timeout=timeout)

    def messages_for(self, request_id, timeout=DEADLINE, until=is_final):
        """Every message for `request_id` up to and including the first one `until` accepts."""
        deadline = time.monotonic() + timeout
        got = []
        for message in list(self.backlog):
            if message.get("request_id") == request_id:
                self.backlog.remove(message)
                got.append(message)
                if until(message):
                    return got
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no reply for {request_id} in {timeout} s; got {got}")
            message = json.loads(self.ws.recv(timeout=remaining))
            if message.get("request_id") == request_id:
                got.append(message)
                if until(message):
                    return got
            else:
                self.backlog.append(message)

    def reply(self, request_id, timeout=DEADLINE):
        return self.messages_for(request_id, timeout)[-1]

    def call(self, to, endpoint, args=None, timeout=DEADLINE, request_id=None):
        request_id = request_id or self.next_id()
        self.send(request(to, endpoint, args, request_id))
        return self.reply(request_id, timeout)

    def query(self, sql, contents=("Message",), render=None, timeout=DEADLINE, **extra):
        return self.call("duck", "querydata", query_args(sql, contents, render, **extra), timeout=timeout)


def ok(reply):
    """The reply, after checking it is not an error."""
    assert "error" not in reply, f"unexpected error reply: {reply}"
    return reply


def error_of(reply):
    assert "error" in reply, f"expected an error reply, got {reply}"
    return reply["error"]


# --- A WebSocket client by hand: for what a library will not do (never read, raw upgrade headers) ---------------


def raw_upgrade(port, path="/ws", headers=None, rcvbuf=None, timeout=DEADLINE):
    """Opens a TCP connection and sends a WebSocket upgrade request. Returns (socket, status, headers, leftover)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.settimeout(timeout)
    sock.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    all_headers = {
        "Host": f"127.0.0.1:{port}",
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Key": key,
        "Sec-WebSocket-Version": "13",
    }
    all_headers.update(headers or {})
    text = f"GET {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in all_headers.items()) + "\r\n"
    sock.sendall(text.encode())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode(errors="replace").split("\r\n")
    status = int(lines[0].split()[1]) if lines and len(lines[0].split()) > 1 else 0
    response_headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        response_headers[name.strip().lower()] = value.strip()
    return sock, status, response_headers, rest


def frame(payload, opcode=0x1, fin=True):
    """A masked client frame."""
    if isinstance(payload, str):
        payload = payload.encode()
    head = bytes([(0x80 if fin else 0) | opcode])
    length = len(payload)
    if length < 126:
        head += bytes([0x80 | length])
    elif length < 65536:
        head += bytes([0x80 | 126]) + struct.pack("!H", length)
    else:
        head += bytes([0x80 | 127]) + struct.pack("!Q", length)
    mask = os.urandom(4)
    if not length:
        return head + mask
    repeated = (mask * (length // 4 + 1))[:length]
    masked = (int.from_bytes(payload, "big") ^ int.from_bytes(repeated, "big")).to_bytes(length, "big")
    return head + mask + masked


def read_frame(sock):
    """One server frame (unmasked): (opcode, payload). Raises ConnectionError at EOF."""

    def exactly(n):
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("closed")
            data += chunk
        return data

    b0, b1 = exactly(2)
    length = b1 & 0x7F
    if length == 126:
        length = struct.unpack("!H", exactly(2))[0]
    elif length == 127:
        length = struct.unpack("!Q", exactly(8))[0]
    return b0 & 0x0F, exactly(length)


def quote(text):
    return urllib.parse.quote(text, safe="")
