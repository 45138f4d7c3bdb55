"""Clients of a cluster's gateway: WebSocket requests matched by request_id, REST calls."""

import json
import time
import urllib.error
import urllib.request

from websockets.sync.client import connect

#: Bounds for what should happen "soon" on a loaded 2-core machine; conditions are polled, never slept on.
DEADLINE = 90.0


def ws_url(cluster):
    return cluster.url.replace("http://", "ws://").rstrip("/") + "/ws"


class Client:
    """One WebSocket; `ask` sends a request and returns its messages up to and including the reply."""

    def __init__(self, cluster, timeout=DEADLINE):
        self.ws = connect(ws_url(cluster), open_timeout=timeout, max_size=None)
        self.timeout = timeout
        self.count = 0

    def send(self, to, endpoint, args, request_id=None):
        self.count += 1
        request_id = request_id or f"r{self.count}"
        self.ws.send(json.dumps({"request_to": to, "request_endpoint": endpoint, "request_args": args,
                                 "request_id": request_id}))
        return request_id

    def receive(self, request_id, timeout=None):
        messages = []
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no reply to {request_id} within {timeout or self.timeout} s: {messages}")
            message = json.loads(self.ws.recv(timeout=left))
            if message.get("request_id") != request_id:
                continue
            messages.append(message)
            if "progress" not in message and "held" not in message:
                return messages

    def ask(self, to, endpoint, args, timeout=None):
        return self.receive(self.send(to, endpoint, args), timeout)

    def query(self, sql, contents=("Message", "Table"), render=10, timeout=None, **extra):
        args = {"request_query": sql, "request_contents": list(contents), "request_render": render, **extra}
        return self.ask("duck", "querydata", args, timeout)[-1]

    def close(self):
        self.ws.close()


def rest(cluster, path, body=None, timeout=DEADLINE):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(cluster.url.rstrip("/") + path, data=data,
                                     method="POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def table_rows(reply):
    assert "error" not in reply, reply
    return reply["data"]["table"]["items"]


def poll(what, check, timeout=DEADLINE, interval=0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not true after {timeout} s")
        time.sleep(interval)
