"""The deploy files: compose.yaml validates, the Dockerfile copies what exists, the example configuration is the
one `serve` and `worker` read (flags over variables over the file)."""

import os
import re
import subprocess
import tempfile

from conftest import BINARY, ROOT

DEPLOY = os.path.join(ROOT, "deploy")


def test_compose_file_validates():
    env = dict(os.environ, DELTADUCK_TOKEN="a-token")
    done = subprocess.run(["docker-compose", "-f", os.path.join(DEPLOY, "compose.yaml"), "config"],
                          capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    for service in ("gateway:", "duckworker:", "deltaworker:", "rabbitmq:", "postgres:"):
        assert service in done.stdout
    assert "replicas: 3" in done.stdout
    # Without a token the gateway (listening beyond loopback) must not start.
    env.pop("DELTADUCK_TOKEN")
    done = subprocess.run(["docker-compose", "-f", os.path.join(DEPLOY, "compose.yaml"), "config"],
                          capture_output=True, text=True, env=env)
    assert done.returncode != 0 and "DELTADUCK_TOKEN" in done.stderr


def test_dockerfile_copies_only_what_exists_and_runs_as_non_root():
    with open(os.path.join(DEPLOY, "Dockerfile")) as f:
        text = f.read()
    for source in re.findall(r"^COPY (?!--from)(\S+)", text, re.M):
        assert os.path.exists(os.path.join(ROOT, source)), source
    assert re.search(r"^USER deltaduck$", text, re.M)
    assert re.findall(r"^FROM \S+:\S*\d\S*", text, re.M), "bases pinned by version"


def test_the_example_configuration_is_what_serve_reads():
    with open(os.path.join(DEPLOY, "deltaduck.env.example")) as f:
        keys = re.findall(r"^#?\s*(DELTADUCK_[A-Z_]+)=", f.read(), re.M)
    sources = ""
    for name in os.listdir(os.path.join(ROOT, "src", "main")):
        with open(os.path.join(ROOT, "src", "main", name)) as f:
            sources += f.read()
    compose_only = {"DELTADUCK_DUCK_REPLICAS", "DELTADUCK_DELTA_REPLICAS"}
    for key in set(keys) - compose_only:
        assert f'"{key}"' in sources, f"{key} is documented but nothing reads it"
    with tempfile.TemporaryDirectory() as tmp:
        config = os.path.join(tmp, "deltaduck.env")
        with open(config, "w") as f:
            f.write(f"# a comment\nDELTADUCK_DATA={tmp}/from-file\nDELTADUCK_LISTEN=127.0.0.1:1\n"
                    "DELTADUCK_WORKERS=inproc\n")
        env = {k: v for k, v in os.environ.items() if not k.startswith("DELTADUCK_")}
        env["DELTADUCK_LISTEN"] = "127.0.0.1:0"  # the environment beats the file
        proc = subprocess.Popen([BINARY, "--config", config, "serve", "--quiet"], stdout=subprocess.PIPE, text=True,
                                env=env)
        try:
            ready = proc.stdout.readline()
            data_line = proc.stdout.readline()
            assert ready.startswith("DeltaDuck ready at http://127.0.0.1:") and ":1/" not in ready, ready
            assert f"{tmp}/from-file" in data_line, data_line
        finally:
            proc.terminate()
            assert proc.wait(timeout=60) == 0
