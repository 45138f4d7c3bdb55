"""A DeltaDuck cluster as local processes: RabbitMQ and PostgreSQL in throwaway directories on free loopback
ports (unless DELTADUCK_AMQP_URL / DELTADUCK_POSTGRES name running ones), N duck and M delta workers, and the
gateway. `deploy/local-cluster` runs it in the foreground; the cluster tests drive it from Python.

Standard library only: it runs with Debian's python3."""

import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RABBITMQ_BIN = "/usr/lib/rabbitmq/bin"
POSTGRES_BIN = "/usr/lib/postgresql/15/bin"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what, check, timeout=120.0, interval=0.1):
    """Polls `check` until it returns something true; the deadline only catches what never happens."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not ready after {timeout:.0f} s")
        time.sleep(interval)


def stop_pid(pid, timeout=30.0, sig=signal.SIGTERM):
    """Stops a process we started, by its own pid: `sig`, then SIGKILL after `timeout`."""
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                return
        except ChildProcessError:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
        time.sleep(0.05)
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


class RabbitMQ:
    """A broker as a plain process (the /usr/sbin wrapper would switch user and log to /var/log)."""

    def __init__(self, base):
        self.dir = os.path.join(base, "rabbitmq")
        self.port = free_port()
        self.dist_port = free_port()
        self.epmd_port = free_port()
        self.node = f"deltaduck{self.port}@localhost"
        self.process = None
        self.epmd_pid = None
        self.url = f"amqp://guest:guest@127.0.0.1:{self.port}/"

    def env(self):
        env = dict(os.environ)
        env.update({
            "HOME": os.path.join(self.dir, "home"),
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "ERL_EPMD_PORT": str(self.epmd_port),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
            "RABBITMQ_MNESIA_BASE": os.path.join(self.dir, "mnesia"),
            "RABBITMQ_LOG_BASE": os.path.join(self.dir, "log"),
            "RABBITMQ_PID_FILE": os.path.join(self.dir, "rabbitmq.pid"),
            "RABBITMQ_CONFIG_FILE": os.path.join(self.dir, "rabbitmq"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": os.path.join(self.dir, "enabled_plugins"),
            # Else the distribution port listens on every interface.
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
        })
        return env

    def start(self):
        for sub in ("home", "mnesia", "log"):
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
        with open(os.path.join(self.dir, "rabbitmq.conf"), "w") as f:
            f.write(f"listeners.tcp.default = 127.0.0.1:{self.port}\n"
                    "loopback_users = none\n"
                    # Longer than the longest request a worker runs (time limit + grace), so the broker never
                    # takes a request back from a worker still answering it.
                    "consumer_timeout = 3600000\n"
                    "log.console = false\n")
        with open(os.path.join(self.dir, "enabled_plugins"), "w") as f:
            f.write("[].\n")
        log = open(os.path.join(self.dir, "server.out"), "ab")
        self.process = subprocess.Popen([os.path.join(RABBITMQ_BIN, "rabbitmq-server")], env=self.env(),
                                        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

        def started():
            if self.process.poll() is not None:
                raise RuntimeError(f"RabbitMQ exited with {self.process.returncode}: see {self.dir}/server.out")
            # `ping` answers before AMQP listens; await_startup waits for the broker's boot to finish.
            ok = subprocess.run([os.path.join(RABBITMQ_BIN, "rabbitmqctl"), "-n", self.node, "await_startup",
                                 "--timeout", "10"], env=self.env(), capture_output=True).returncode == 0
            return ok and self.accepts()
        wait_for("RabbitMQ", started, timeout=180, interval=0.5)
        self.epmd_pid = self.find_epmd()

    def accepts(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    def find_epmd(self):
        # epmd daemonizes and outlives the broker: find it by the port it was given, to stop it by its pid.
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    cmd = f.read().split(b"\0")
                with open(f"/proc/{pid}/environ", "rb") as f:
                    environ = f.read().split(b"\0")
            except OSError:
                continue
            if cmd and cmd[0].endswith(b"epmd") and f"ERL_EPMD_PORT={self.epmd_port}".encode() in environ:
                return int(pid)
        return None

    def stop(self, keep_epmd=False):
        if self.process and self.process.poll() is None:
            stop_pid(self.process.pid, timeout=30)
            self.process.wait()
        if not keep_epmd and self.epmd_pid:
            stop_pid(self.epmd_pid, timeout=5)
            self.epmd_pid = None

    def restart(self):
        """Stops the broker and starts it again on the same port (its queues, not durable, are gone)."""
        self.stop(keep_epmd=True)
        self.start()


class PostgreSQL:
    """A PostgreSQL 15 cluster in a throwaway directory, with the role and schemas DeltaDuck's workers use:
    a non-superuser role `deltaduck` owning schemas `deltaduck` (shared tables) and `deltaduck_catalog`."""

    def __init__(self, base):
        self.dir = os.path.join(base, "postgres")
        self.port = free_port()
        self.password_file = os.path.join(base, "postgres-password")
        self.dsn = f"host=127.0.0.1 port={self.port} dbname=deltaduck user=deltaduck"
        self.as_user = None

    def run(self, args, **kwargs):
        # initdb refuses to run as root: run the server as the postgres user then.
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            kwargs["preexec_fn"] = lambda: (os.setgid(user.pw_gid), os.setuid(user.pw_uid))
        result = subprocess.run(args, capture_output=True, text=True, **kwargs)
        if result.returncode != 0:
            raise RuntimeError(f"{os.path.basename(args[0])} failed ({result.returncode}): "
                               f"{(result.stderr or result.stdout).strip()}")
        return result

    def start(self):
        os.makedirs(self.dir, exist_ok=True)
        if os.geteuid() == 0:
            # The server runs as postgres: it must be able to pass through the throwaway base directory.
            os.chmod(os.path.dirname(self.dir), 0o711)
            user = pwd.getpwnam("postgres")
            os.chown(self.dir, user.pw_uid, user.pw_gid)
        if not os.path.exists(os.path.join(self.dir, "data", "PG_VERSION")):
            self.run([os.path.join(POSTGRES_BIN, "initdb"), "-D", os.path.join(self.dir, "data"), "-A",
                      "scram-sha-256", "-U", "postgres", "--pwfile", self.superuser_password_file()])
        self.run([os.path.join(POSTGRES_BIN, "pg_ctl"), "-D", os.path.join(self.dir, "data"), "-w", "-t", "120",
                  "-l", os.path.join(self.dir, "server.log"), "-o",
                  f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1", "start"])
        self.init_database()

    def superuser_password_file(self):
        path = os.path.join(self.dir, "superuser-password")
        if not os.path.exists(path):
            with open(path, "w") as f:
                f.write(secrets.token_hex(16) + "\n")
            if os.geteuid() == 0:
                user = pwd.getpwnam("postgres")
                os.chown(path, user.pw_uid, user.pw_gid)
            os.chmod(path, 0o600)
        return path

    def psql(self, sql, database="postgres"):
        with open(os.path.join(self.dir, "superuser-password")) as f:
            password = f.read().strip()
        env = dict(os.environ, PGPASSWORD=password)
        return subprocess.run(["psql", "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(self.port),
                               "-U", "postgres", "-d", database, "-c", sql], env=env, check=True,
                              capture_output=True, text=True).stdout

    def init_database(self):
        if not os.path.exists(self.password_file):
            with open(self.password_file, "w") as f:
                f.write(secrets.token_hex(16) + "\n")
            os.chmod(self.password_file, 0o600)
        with open(self.password_file) as f:
            password = f.read().strip()
        exists = self.psql("SELECT 1 FROM pg_database WHERE datname = 'deltaduck'").strip()
        if exists:
            return
        self.psql(f"CREATE ROLE deltaduck LOGIN PASSWORD '{password}'")
        self.psql("CREATE DATABASE deltaduck OWNER postgres")
        with open(os.path.join(ROOT, "deploy", "postgres-init.sql")) as f:
            self.psql(f.read(), database="deltaduck")

    def stop(self):
        try:
            self.run([os.path.join(POSTGRES_BIN, "pg_ctl"), "-D", os.path.join(self.dir, "data"), "-m", "fast",
                      "-w", "stop"])
        except RuntimeError:
            pass


class Cluster:
    """The gateway, its workers and (unless given) their broker and database, all on loopback."""

    def __init__(self, data, duck=3, delta=2, transport="amqp", listen=None, binary=None, base=None,
                 extra_serve_args=(), extra_worker_args=()):
        self.data = os.path.abspath(data)
        self.duck = duck
        self.delta = delta
        self.transport = transport
        self.listen = listen or f"127.0.0.1:{free_port()}"
        self.binary = binary or os.environ.get("DELTADUCK_BINARY", os.path.join(ROOT, "build", "deltaduck"))
        self.base = base or tempfile.mkdtemp(prefix="deltaduck-cluster-")
        self.extra_serve_args = list(extra_serve_args)
        self.extra_worker_args = list(extra_worker_args)
        self.rabbitmq = None
        self.postgres = None
        self.workers = {}  # id -> {"role", "process", "url"}
        self.gateway = None
        self.env = dict(os.environ)

    def log(self, name):
        return open(os.path.join(self.base, name + ".log"), "ab")

    def start(self):
        os.makedirs(self.data, exist_ok=True)
        if self.transport == "amqp" and not os.environ.get("DELTADUCK_AMQP_URL"):
            self.rabbitmq = RabbitMQ(self.base)
            self.rabbitmq.start()
            self.env["DELTADUCK_AMQP_URL"] = self.rabbitmq.url
        if not os.environ.get("DELTADUCK_POSTGRES"):
            self.postgres = PostgreSQL(self.base)
            self.postgres.start()
            self.env["DELTADUCK_POSTGRES"] = self.postgres.dsn
            self.env["DELTADUCK_POSTGRES_PASSWORD_FILE"] = self.postgres.password_file
        for i in range(1, self.duck + 1):
            self.start_worker(f"duck{i}", "duck")
        for i in range(1, self.delta + 1):
            self.start_worker(f"delta{i}", "delta")
        self.start_gateway()
        self.wait_registered()
        return self

    def start_worker(self, worker_id, role):
        args = [self.binary, "worker", "--data", self.data, "--role", role, "--transport", self.transport, "--id",
                worker_id]
        if role == "duck" and "--threads" not in self.extra_worker_args:
            # The duck workers of one host share its cores: one long query then leaves the others some.
            args += ["--threads", str(max(1, (os.cpu_count() or 1) // self.duck))]
        args += self.extra_worker_args
        url = None
        if self.transport == "http":
            port = self.workers[worker_id]["port"] if worker_id in self.workers else free_port()
            url = f"http://127.0.0.1:{port}"
            args += ["--listen", f"127.0.0.1:{port}"]
        process = subprocess.Popen(args, env=self.env, stdout=self.log(worker_id), stderr=subprocess.STDOUT)
        self.workers[worker_id] = {"role": role, "process": process, "url": url,
                                   "port": int(url.rsplit(":", 1)[1]) if url else None}
        return process

    def start_gateway(self):
        args = [self.binary, "serve", "--data", self.data, "--listen", self.listen, "--workers", self.transport,
                "--quiet"] + self.extra_serve_args
        if self.transport == "http":
            urls = {role: [w["url"] for w in self.workers.values() if w["role"] == role] for role in ("duck", "delta")}
            args += ["--duck-urls", ",".join(urls["duck"]), "--delta-urls", ",".join(urls["delta"])]
        out = os.path.join(self.base, "gateway.out")
        self.gateway = subprocess.Popen(args, env=self.env, stdout=open(out, "wb"), stderr=self.log("gateway"))

        def ready():
            if self.gateway.poll() is not None:
                raise RuntimeError(f"the gateway exited with {self.gateway.returncode}: see {self.base}/gateway.log")
            with open(out) as f:
                for line in f:
                    if line.startswith("DeltaDuck ready at "):
                        return line.split()[-1]
            return None
        self.url = wait_for("the gateway", ready)

    def api(self, path):
        with urllib.request.urlopen(self.url.rstrip("/") + path, timeout=30) as response:
            return json.loads(response.read())

    def up_workers(self):
        try:
            return [w for w in self.api("/api/workers")["workers"] if w.get("status") == "up"]
        except OSError:
            return []

    def wait_registered(self, timeout=120):
        want = {w for w, info in self.workers.items() if info["process"].poll() is None}

        def registered():
            for worker_id, info in self.workers.items():
                if info["process"].poll() is not None and worker_id in want:
                    raise RuntimeError(f"worker {worker_id} exited: see {self.base}/{worker_id}.log")
            return want <= {w["id"] for w in self.up_workers()}
        wait_for("every worker registered", registered, timeout=timeout, interval=0.2)

    def kill_worker(self, worker_id):
        """kill -9 of a worker and its supervisor: it dies as a crash would."""
        process = self.workers[worker_id]["process"]
        os.kill(process.pid, signal.SIGKILL)  # the supervisor; its child follows (parent-death signal)
        process.wait()

    def stop(self):
        if self.gateway:
            stop_pid(self.gateway.pid, timeout=30)
        for info in self.workers.values():
            stop_pid(info["process"].pid, timeout=30)
        if self.rabbitmq:
            self.rabbitmq.stop()
        if self.postgres:
            self.postgres.stop()

    def cleanup(self):
        shutil.rmtree(self.base, ignore_errors=True)


def main(argv):
    import argparse
    parser = argparse.ArgumentParser(prog="local-cluster", description=(
        "Start DeltaDuck's distributed topology as local processes: RabbitMQ and PostgreSQL in throwaway "
        "directories on free loopback ports (unless DELTADUCK_AMQP_URL / DELTADUCK_POSTGRES name running ones), "
        "N duck and M delta workers and the gateway. Ctrl+C stops everything it started."))
    parser.add_argument("--data", default="data", help="data directory (raw/, deltalake/)")
    parser.add_argument("--duck", type=int, default=3, help="duck (query) workers")
    parser.add_argument("--delta", type=int, default=2, help="delta (ingest) workers")
    parser.add_argument("--listen", default="127.0.0.1:8080", help="the gateway's HOST:PORT")
    parser.add_argument("--transport", choices=["amqp", "http"], default="amqp")
    parser.add_argument("--binary", default=None, help="deltaduck binary (default build/deltaduck)")
    args = parser.parse_args(argv)
    cluster = Cluster(args.data, args.duck, args.delta, args.transport, args.listen, args.binary)
    stopping = []

    def on_signal(signum, _frame):
        stopping.append(signum)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        cluster.start()
        print(f"workers: {args.duck} duck, {args.delta} delta over {args.transport}; logs in {cluster.base}",
              flush=True)
        print(f"DeltaDuck ready at {cluster.url}", flush=True)
        while not stopping:
            if cluster.gateway.poll() is not None:
                print(f"the gateway exited ({cluster.gateway.returncode}): see {cluster.base}/gateway.log",
                      file=sys.stderr)
                return 1
            time.sleep(0.2)
        return 0
    except Exception as e:  # a clear line, then everything started so far is stopped
        print(f"local-cluster: {e}", file=sys.stderr)
        failed = True
        return 1
    finally:
        cluster.stop()
        if not locals().get("failed"):
            cluster.cleanup()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
