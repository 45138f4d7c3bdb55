"""Fixtures: throwaway data directories made by the real binary, and `deltaduck serve` processes on loopback.

DELTADUCK_BINARY names the binary (default /work/main/build/deltaduck). Servers listen on 127.0.0.1:0, are ready
when they print their ready line, and are stopped by their own pid (SIGTERM, SIGKILL after a deadline). A server a
test started must exit with status 0 when the test ends: a crash during the test fails it.
"""

import os
import shutil
import subprocess

import pytest

from gwlib import BINARY, DEADLINE, Server

#: The sample folder `deltaduck sample` writes, ingested as =(^)climate.
CLIMATE_ROWS_PER_FILE = 26280
CLIMATE_FILES = 4


def run_cli(*args, timeout=300):
    """Runs the binary (not a server) and returns its stdout; fails the test with its output if it fails."""
    done = subprocess.run([BINARY, *map(str, args)], capture_output=True, timeout=timeout)
    if done.returncode != 0:
        raise AssertionError(f"{args} exited {done.returncode}: {done.stdout.decode()} {done.stderr.decode()}")
    return done.stdout.decode()


def make_data_dir(path, ingest_climate=True, big=False):
    """A data directory: raw/climate (4 CSV files), =(^)climate ingested by the CLI, optionally raw/big."""
    os.makedirs(path, exist_ok=True)
    run_cli("sample", "--data", path)
    if big:
        # Big enough that an ingest of it runs for several progress intervals (200 ms) on any machine.
        run_cli("sample", "--data", path, "--folder", "big", "--files", 4, "--rows", 150000)
    if ingest_climate:
        run_cli("ingest", "--data", path, "--source", "climate", "--table", "climate")
    return path


@pytest.fixture(scope="session")
def binary():
    if not (os.path.isfile(BINARY) and os.access(BINARY, os.X_OK)):
        pytest.fail(f"no deltaduck binary at {BINARY} (set DELTADUCK_BINARY)")
    return BINARY


@pytest.fixture(scope="session")
def shared_data(tmp_path_factory, binary):
    return make_data_dir(str(tmp_path_factory.mktemp("shared-data")), big=True)


@pytest.fixture(scope="session")
def server(shared_data):
    """One server for the tests that do not change its settings or stop it. It must survive the whole session."""
    srv = Server(shared_data).wait_ready()
    yield srv
    alive = srv.alive()
    code = srv.stop()
    assert alive, f"the shared server died during the session (status {srv.proc.returncode}): {srv.stderr_text()}"
    assert code == 0, f"the shared server exited with {code}: {srv.stderr_text()}"


@pytest.fixture(scope="session")
def template_data(tmp_path_factory, binary):
    return make_data_dir(str(tmp_path_factory.mktemp("template-data")))


@pytest.fixture
def data_dir(tmp_path, template_data):
    """A fresh data directory with =(^)climate (a copy of one the binary made), for a server of the test's own."""
    path = str(tmp_path / "data")
    shutil.copytree(template_data, path, symlinks=True)
    return path


@pytest.fixture
def bare_dir(tmp_path):
    """An empty data directory, for a server whose test needs no tables."""
    path = tmp_path / "bare"
    path.mkdir()
    return str(path)


class Servers:
    """Servers a test starts itself; each must exit 0 at the end of the test unless the test says otherwise."""

    def __init__(self, log_dir):
        self.log_dir = log_dir
        self.started = []

    def start(self, data_dir, *flags, ready=True, **kwargs):
        srv = Server(data_dir, *flags, log_dir=self.log_dir, **kwargs)
        srv.expected_exit = 0
        self.started.append(srv)
        return srv.wait_ready() if ready else srv

    def finish(self):
        problems = []
        for srv in self.started:
            was_alive = srv.alive()
            code = srv.stop()
            if srv.expected_exit is not None and (code != srv.expected_exit or (srv.returncode is None)):
                problems.append(f"server {srv.args} exited {code} (alive at teardown: {was_alive}); "
                                f"stderr: {srv.stderr_text()[-2000:]}")
        return problems


@pytest.fixture
def servers(tmp_path):
    log_dir = tmp_path / "logs"
    log_dir.mkdir()
    started = Servers(str(log_dir))
    yield started
    problems = started.finish()
    assert not problems, "\n".join(problems)


@pytest.fixture
def scratch(tmp_path):
    """A folder for downloads; emptied after the test (exports of 10M rows are large)."""
    path = tmp_path / "scratch"
    path.mkdir()
    yield path
    shutil.rmtree(path, ignore_errors=True)


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes more than a few seconds")
    os.environ.setdefault("DELTADUCK_BINARY", BINARY)
    assert DEADLINE >= 30
