"""Fixtures: one Spark session (local[2], Delta, loopback only) for the whole suite, and throwaway lakes.

DELTADUCK_BINARY names the binary (default /work/main/build/deltaduck). Spark fetches the Delta jars through Ivy from
Maven Central on its first start into deps/ivy/ (about 50 s; about 10 s later). The suite is skipped only when
there is no Java to run Spark; anything else missing fails it.
"""

import os

import pytest

from sparklib import BINARY, Lake, Oracle, java_binary, spark_builder, use_utc


def pytest_collection_modifyitems(config, items):
    if java_binary() is None:
        skip = pytest.mark.skip(reason="Java is absent (no JAVA_HOME/bin/java, no java on PATH): the Spark interop "
                                       "suite needs a Java 17 runtime (Debian: openjdk-17-jre-headless)")
        for item in items:
            item.add_marker(skip)


def pytest_configure(config):
    os.environ.setdefault("DELTADUCK_BINARY", BINARY)
    # Spark and its Python side on loopback only, whatever the host name resolves to.
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    os.environ["SPARK_LOCAL_HOSTNAME"] = "localhost"
    use_utc()


@pytest.fixture(scope="session")
def binary():
    if not (os.path.isfile(BINARY) and os.access(BINARY, os.X_OK)):
        pytest.fail(f"no deltaduck binary at {BINARY} (set DELTADUCK_BINARY)")
    return BINARY


@pytest.fixture(scope="session")
def spark(tmp_path_factory, binary):
    """The suite's one Spark session; its JVM is stopped (by the process pyspark started) when the suite ends."""
    from pyspark import SparkContext

    session = spark_builder(tmp_path_factory.mktemp("spark")).getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    yield session
    gateway = SparkContext._gateway
    session.stop()
    if gateway is not None:
        gateway.shutdown()
        proc = getattr(gateway, "proc", None)
        if proc is not None:
            proc.stdin.close()  # the JVM exits when its stdin closes
            try:
                proc.wait(timeout=60)
            except Exception:
                proc.kill()
                proc.wait()
        SparkContext._gateway = None
        SparkContext._jvm = None


@pytest.fixture
def lake(tmp_path):
    return Lake(tmp_path / "data")


@pytest.fixture
def oracle(spark, lake):
    return Oracle(spark, lake)
