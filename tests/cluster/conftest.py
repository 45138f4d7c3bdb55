"""Fixtures: a real cluster (deploy/local_cluster.py) per transport, stopped by its own pids at the end."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "deploy"))

from local_cluster import Cluster  # noqa: E402

BINARY = os.environ.get("DELTADUCK_BINARY", os.path.join(ROOT, "build", "deltaduck"))


def run_cli(*args):
    done = subprocess.run([BINARY, *map(str, args)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{args}: {done.stdout} {done.stderr}"
    return done.stdout


def make_data(path):
    run_cli("sample", "--data", path)
    # Big enough that its ingest sends progress for several intervals on any machine.
    run_cli("sample", "--data", path, "--folder", "big", "--files", 4, "--rows", 150000)
    run_cli("ingest", "--data", path, "--source", "climate", "--table", "climate")
    return path


def clean_environment():
    for name in list(os.environ):
        if name.startswith("DELTADUCK_") and name != "DELTADUCK_BINARY":
            del os.environ[name]


@pytest.fixture(scope="session")
def amqp_cluster(tmp_path_factory):
    clean_environment()
    data = make_data(str(tmp_path_factory.mktemp("amqp-data")))
    fault_marker = os.path.join(data, ".fault-disarmed")
    open(fault_marker, "w").close()
    # Every delta worker stops itself right after an ingest commit becomes durable, once the marker file is
    # removed (the test arms it): that ingest is then delivered again to another worker.
    cluster = Cluster(data, duck=3, delta=2, transport="amqp", binary=BINARY,
                      extra_worker_args=["--query-timeout", "120", "--grace", "10"])
    cluster.env["DELTADUCK_FAULT"] = "after_link"
    cluster.env["DELTADUCK_FAULT_ONCE"] = fault_marker
    cluster.fault_marker = fault_marker
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        cluster.cleanup()


@pytest.fixture(scope="session")
def http_cluster(tmp_path_factory):
    clean_environment()
    data = make_data(str(tmp_path_factory.mktemp("http-data")))
    cluster = Cluster(data, duck=2, delta=1, transport="http", binary=BINARY)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        cluster.cleanup()
