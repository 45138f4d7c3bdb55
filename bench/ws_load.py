"""WebSocket load for `make bench` (bench/gateway_bench.cpp): the same client drives `deltaduck serve` and the
original's gateway (bench/original_gateway.py), so that the two are measured alike.

ws_load.py --url ws://127.0.0.1:PORT/ws --clients C --requests N [--warmup W] [--render R] [--contents Table,...]
           --query SQL
Opens C sockets (one per client). The N requests (and, before them, W warm-up requests that are not measured) are
spread over the clients; each client sends one querydata request at a time on its socket and waits for its reply.
Every reply is checked: an error reply (either protocol's shape), a reply that is not JSON, or a Table reply
without rows stops the run with exit status 1.
Prints one line:
  RESULT seconds=<wall-clock s of the N requests> throughput=<requests/s> p50_us=<median round trip>
         p99_us=<99th percentile round trip> clients=C requests=N
"""

import argparse
import asyncio
import json
import sys
import time

import websockets


def spread(total, clients):
    """How many of `total` requests each client sends."""
    return [total // clients + (1 if i < total % clients else 0) for i in range(clients)]


def check(text, contents, expected_id):
    try:
        reply = json.loads(text)
    except ValueError as exc:
        raise RuntimeError(f"reply is not JSON ({exc}): {text[:200]}")
    if not isinstance(reply, dict) or "error" in reply:
        raise RuntimeError(f"error reply: {text[:500]}")
    if "request_id" in reply and reply["request_id"] not in (None, expected_id):
        raise RuntimeError(f"reply for {reply['request_id']!r} while waiting for {expected_id!r}")
    data = reply.get("data")
    if not isinstance(data, dict):
        raise RuntimeError(f"reply without data: {text[:500]}")
    if "Table" in contents:
        items = (data.get("table") or {}).get("items")
        if not items:
            raise RuntimeError(f"Table reply without rows: {text[:500]}")


#: A reply slower than this means the server is stuck: the run fails instead of hanging.
REPLY_TIMEOUT = 300


async def run(args):
    warmups = spread(args.warmup, args.clients)
    measured = spread(args.requests, args.clients)
    contents = args.contents.split(",")
    latencies = []
    # Every socket is open and warmed before the clock starts: the measured part is the requests only.
    ready = [asyncio.Event() for _ in range(args.clients)]
    go = asyncio.Event()

    async def one(i):
        async with websockets.connect(args.url, max_size=None, open_timeout=120, ping_interval=None) as ws:

            async def ask(request_id):
                message = json.dumps({
                    "request_to": "duck",
                    "request_endpoint": "querydata",
                    "request_args": {"request_query": args.query, "request_contents": contents,
                                     "request_render": args.render},
                    "request_id": request_id,
                })
                start = time.perf_counter_ns()
                await ws.send(message)
                text = await asyncio.wait_for(ws.recv(), REPLY_TIMEOUT)
                elapsed = time.perf_counter_ns() - start
                check(text, contents, request_id)
                return elapsed / 1000.0

            for k in range(warmups[i]):
                await ask(f"{i}-w{k}")
            ready[i].set()
            await go.wait()
            for k in range(measured[i]):
                latencies.append(await ask(f"{i}-m{k}"))

    tasks = [asyncio.create_task(one(i)) for i in range(args.clients)]
    all_ready = asyncio.ensure_future(asyncio.gather(*(event.wait() for event in ready)))
    try:
        while not all_ready.done():
            await asyncio.wait([all_ready, *tasks], return_when=asyncio.FIRST_COMPLETED)
            for task in tasks:
                if task.done():
                    task.result()  # raises what failed; a client cannot end before `go`
        start = time.perf_counter()
        go.set()
        await asyncio.gather(*tasks)
        seconds = time.perf_counter() - start
    finally:
        for task in tasks:
            task.cancel()
        all_ready.cancel()
        await asyncio.gather(*tasks, all_ready, return_exceptions=True)
    return seconds, latencies


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=0)
    parser.add_argument("--render", type=int, default=100)
    parser.add_argument("--contents", default="Table", help="comma-separated: Message,Chart,Table")
    parser.add_argument("--query", required=True)
    args = parser.parse_args()
    if args.clients < 1 or args.requests < 1:
        parser.error("--clients and --requests must be at least 1")
    try:
        seconds, latencies = asyncio.run(run(args))
    except Exception as exc:  # any failed request, refused connection or protocol error ends the run
        print(f"ws_load: {type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(1)
    if len(latencies) != args.requests:
        print(f"ws_load: {len(latencies)} of {args.requests} requests answered", file=sys.stderr)
        sys.exit(1)
    print(f"RESULT seconds={seconds:.6f} throughput={args.requests / seconds:.1f} "
          f"p50_us={percentile(latencies, 0.5):.1f} p99_us={percentile(latencies, 0.99):.1f} "
          f"clients={args.clients} requests={args.requests}", flush=True)


if __name__ == "__main__":
    main()
