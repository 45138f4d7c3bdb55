"""A cluster over RabbitMQ (3 duck + 2 delta workers, PostgreSQL for shared tables and the catalog), driven as
users drive it, then broken as production breaks it. Tests run in file order: the ones that stop servers last."""

import os
import subprocess
import threading
import time

from clusterlib import DEADLINE, Client, poll, rest, table_rows


def test_every_worker_registers_with_heartbeats(amqp_cluster):
    status, body = rest(amqp_cluster, "/api/workers")
    assert status == 200
    workers = {w["id"]: w for w in body["workers"]}
    assert set(workers) == {"duck1", "duck2", "duck3", "delta1", "delta2"}
    for worker in workers.values():
        assert worker["transport"] == "amqp" and worker["status"] == "up"
        assert worker["last_heartbeat"] >= worker["started"]


def test_500_queries_from_20_clients_are_answered_and_spread(amqp_cluster):
    failures, answered = [], []

    def client(number):
        c = Client(amqp_cluster)
        try:
            for i in range(25):
                value = number * 1000 + i
                reply = c.query(f"SELECT {value} AS v", contents=["Table"])
                rows = table_rows(reply)
                if rows != [{"index": 0, "v": value}]:
                    failures.append((value, reply))
                answered.append(value)
            # Tables made in a worker's memory record that worker as their location.
            c.query(f"CREATE OR REPLACE TABLE spread_{number} AS SELECT {number} AS n")
        finally:
            c.close()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures[:3]
    assert sorted(answered) == sorted(n * 1000 + i for n in range(20) for i in range(25))
    _, tables = rest(amqp_cluster, "/api/tables")
    locations = {r["location"] for r in tables["lineage"] if r["table"].startswith("spread_")}
    assert locations == {"duck1", "duck2", "duck3"}, locations


def test_a_postgres_table_made_through_one_worker_is_read_through_another(amqp_cluster):
    c = Client(amqp_cluster)
    try:
        made = c.query("CREATE OR REPLACE TABLE postgres.shared AS SELECT range AS i, 'row ' || range AS s "
                       "FROM range(5)", node="duck1")
        assert made["data"]["message"] == "CREATE OK", made
        read = c.query("SELECT sum(i) AS total, count(*) AS n FROM postgres.shared", node="duck2")
        assert table_rows(read) == [{"index": 0, "total": 10, "n": 5}]
        # Dropped and made again with other columns: the other worker sees the new shape at once.
        c.query("CREATE OR REPLACE TABLE postgres.shared AS SELECT 'x' AS letter", node="duck1")
        read = c.query("SELECT * FROM postgres.shared", node="duck3")
        assert table_rows(read) == [{"index": 0, "letter": "x"}]
        _, tables = rest(amqp_cluster, "/api/tables")
        record = [r for r in tables["lineage"] if r["table"] == "shared"]
        assert record and record[0]["location"] == "postgres"
        # A delta worker loads it into a Delta table.
        messages = c.ask("delta", "ingestdata", {"request_folderpath": "SELECT * FROM postgres.shared",
                                                 "request_tablename": "from_postgres", "request_method": "overwrite"})
        assert messages[-1]["data"]["message"] == "DeltaLake stored as from_postgres", messages[-1]
        assert table_rows(c.query("SELECT * FROM =(^)from_postgres")) == [{"index": 0, "letter": "x"}]
    finally:
        c.close()


def test_the_sandbox_holds_with_postgres_attached(amqp_cluster):
    c = Client(amqp_cluster)
    try:
        dsn = amqp_cluster.postgres.dsn.replace("user=deltaduck", "user=postgres")
        for sql in [f"SELECT * FROM postgres_scan('{dsn}', 'pg_catalog', 'pg_authid')",
                    "SELECT * FROM postgres_query('postgres', 'SELECT pg_read_file(''/etc/hostname'')')",
                    "CALL postgres_execute('postgres', 'COPY (SELECT 1) TO ''/tmp/deltaduck-leak''')",
                    f"SELECT * FROM postgres_attach('{dsn}')",
                    "SELECT * FROM \"postgres_query\" ('postgres', 'SELECT 1')"]:
            reply = c.query(sql)
            assert reply["error"]["type"] == "Permission", (sql, reply)
        assert c.query("DETACH postgres")["error"]["type"] == "Permission"
        reply = c.query(f"ATTACH '{dsn}' AS other (TYPE postgres)")
        assert "error" in reply and "disabled" in reply["error"]["message"].lower(), reply
        # The catalog's schema is not the one SQL sees.
        reply = c.query("SELECT * FROM postgres.deltaduck_catalog.workers")
        assert reply["error"]["type"] in ("NotFound", "InvalidInput"), reply
        assert table_rows(c.query("SELECT 1 AS still_usable")) == [{"index": 0, "still_usable": 1}]
    finally:
        c.close()
    assert not os.path.exists("/tmp/deltaduck-leak")
    # And the role the workers use cannot reach server files or other schemas even with SQL of its own.
    with open(amqp_cluster.postgres.password_file) as f:
        password = f.read().strip()
    for sql in ["SELECT pg_read_file('/etc/hostname')", "COPY (SELECT 1) TO '/tmp/deltaduck-leak'",
                "CREATE SCHEMA elsewhere", "CREATE TABLE public.x (i int)"]:
        done = subprocess.run(["psql", "-X", "-h", "127.0.0.1", "-p", str(amqp_cluster.postgres.port), "-U",
                               "deltaduck", "-d", "deltaduck", "-c", sql], capture_output=True, text=True,
                              env=dict(os.environ, PGPASSWORD=password))
        refused = "permission denied" in done.stderr or "must be superuser" in done.stderr
        assert done.returncode != 0 and refused, (sql, done.stderr)


def test_ingest_over_amqp_sends_progress_before_its_reply(amqp_cluster):
    c = Client(amqp_cluster)
    try:
        messages = c.ask("delta", "ingestdata", {"request_folderpath": "big", "request_tablename": "big",
                                                 "request_method": "overwrite"}, timeout=600)
    finally:
        c.close()
    progress = [m["progress"] for m in messages if "progress" in m]
    assert progress, messages
    assert all(p["unit"] == "bytes" and 0 < p["done"] <= p["total"] for p in progress)
    assert [p["done"] for p in progress] == sorted(p["done"] for p in progress)
    reply = messages[-1]
    assert reply["data"]["message"] == "DeltaLake stored as big" and reply["data"]["ingest"]["rows"] == 600000


def test_a_request_for_an_unknown_node_fails_at_once(amqp_cluster):
    c = Client(amqp_cluster)
    try:
        start = time.monotonic()
        reply = c.query("-- id: 1\n-- node: nosuch\nSELECT 1;")
        assert reply["error"]["type"] == "NotFound" and "nosuch" in reply["error"]["message"]
        assert time.monotonic() - start < 10
        reply = c.query("-- id: a\n-- node: duck2\nSELECT 7 AS seven;")
        assert "error" not in reply, reply
    finally:
        c.close()


def test_session_affinity_keeps_a_sockets_tables_on_its_worker(amqp_cluster, tmp_path):
    # A gateway of its own with --session-affinity, on the same workers.
    env = dict(amqp_cluster.env)
    out = tmp_path / "gateway.out"
    gateway = subprocess.Popen([amqp_cluster.binary, "serve", "--data", amqp_cluster.data, "--listen",
                                "127.0.0.1:0", "--workers", "amqp", "--quiet", "--session-affinity"], env=env,
                               stdout=open(out, "wb"), stderr=subprocess.DEVNULL)
    try:
        url = poll("the second gateway", lambda: next((line.split()[-1] for line in open(out)
                                                       if line.startswith("DeltaDuck ready at ")), None))

        class Gateway:
            pass
        second = Gateway()
        second.url = url
        c = Client(second)
        try:
            c.query("CREATE TABLE mine AS SELECT 41 AS answer")
            for _ in range(10):  # every query lands where `mine` lives
                assert table_rows(c.query("SELECT answer + 1 AS a FROM mine")) == [{"index": 0, "a": 42}]
        finally:
            c.close()
    finally:
        gateway.terminate()
        gateway.wait(timeout=60)


def test_a_worker_killed_mid_query_fails_that_request_and_leaves_the_registry(amqp_cluster):
    c, other = Client(amqp_cluster), Client(amqp_cluster)
    try:
        request_id = c.send("duck", "querydata", {"request_query": "SELECT count(*) FROM range(1000000000000)",
                                                  "request_contents": ["Message"], "node": "duck3"})
        poll("duck3 runs the query", lambda: any(w["id"] == "duck3" and w["in_flight"] >= 1
                                                 for w in rest(amqp_cluster, "/api/workers")[1]["workers"]))
        amqp_cluster.kill_worker("duck3")
        # The others go on answering while the gateway notices.
        for i in range(5):
            assert table_rows(other.query(f"SELECT {i} AS i")) == [{"index": 0, "i": i}]
        reply = c.receive(request_id, timeout=DEADLINE)[-1]
        assert reply["error"]["type"] == "IO" and "duck3" in reply["error"]["message"], reply
        poll("the registry drops duck3",
             lambda: "duck3" not in {w["id"] for w in rest(amqp_cluster, "/api/workers")[1]["workers"]})
        reply = c.query("SELECT 1", node="duck3")
        assert reply["error"]["type"] == "NotFound"
    finally:
        c.close()
        other.close()
    amqp_cluster.start_worker("duck3", "duck")
    amqp_cluster.wait_registered()


def test_a_redelivered_ingest_is_applied_once(amqp_cluster):
    c = Client(amqp_cluster)
    try:
        made = c.ask("delta", "ingestdata", {"request_folderpath": "SELECT range AS i FROM range(5)",
                                             "request_tablename": "once", "request_method": "overwrite"})
        assert "error" not in made[-1], made
        os.remove(amqp_cluster.fault_marker)  # armed: the next commit kills its worker right after it lands
        messages = c.ask("delta", "ingestdata", {"request_folderpath": "SELECT range + 5 AS i FROM range(5)",
                                                 "request_tablename": "once", "request_method": "append"},
                         timeout=2 * DEADLINE)
        assert os.path.exists(amqp_cluster.fault_marker), "the fault did not fire"
        reply = messages[-1]
        assert "error" not in reply, reply
        rows = table_rows(c.query("SELECT count(*) AS n, count(DISTINCT i) AS d, max(i) AS top FROM =(^)once"))
        assert rows == [{"index": 0, "n": 10, "d": 10, "top": 9}]
        status, details = rest(amqp_cluster, "/api/tables/once")
        assert status == 200 and details["version"] == 1, details
    finally:
        c.close()
    # The worker that stopped comes back under its supervisor.
    amqp_cluster.wait_registered()


def test_a_killed_postgres_backend_is_reconnected_without_an_error(amqp_cluster):
    c = Client(amqp_cluster)
    try:
        for node in ("duck1", "duck2", "duck3"):  # each worker has a pooled connection now
            assert "error" not in c.query("SELECT * FROM postgres.shared", node=node)
        amqp_cluster.postgres.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                   "WHERE usename = 'deltaduck' AND application_name NOT LIKE 'psql%'",
                                   database="deltaduck")
        for node in ("duck1", "duck2", "duck3"):
            reply = c.query("SELECT * FROM postgres.shared", node=node)
            assert table_rows(reply) == [{"index": 0, "letter": "x"}], reply
    finally:
        c.close()


def test_postgresql_stopped_fails_postgres_queries_clearly_and_nothing_else(amqp_cluster):
    c = Client(amqp_cluster)
    try:
        amqp_cluster.postgres.stop()
        reply = c.query("SELECT * FROM postgres.shared", timeout=DEADLINE)
        assert "error" in reply, reply
        assert table_rows(c.query("SELECT 42 AS answer")) == [{"index": 0, "answer": 42}]
        assert table_rows(c.query("SELECT count(*) AS n FROM =(^)climate")) == [{"index": 0, "n": 105120}]
        amqp_cluster.postgres.start()
        poll("postgres queries work again", lambda: "error" not in c.query("SELECT * FROM postgres.shared"))
    finally:
        c.close()


def test_rabbitmq_restarted_under_load(amqp_cluster):
    stop = threading.Event()
    outcomes = []

    def load(number):
        c = None
        while not stop.is_set():
            try:
                c = c or Client(amqp_cluster)
                reply = c.query(f"SELECT {number} AS n", contents=["Table"], timeout=DEADLINE)
                outcomes.append((time.monotonic(), "error" not in reply, reply.get("error", {}).get("type")))
            except TimeoutError:
                outcomes.append((time.monotonic(), False, "hung"))
            except Exception:  # the gateway stays up: a socket error would be a failure too
                outcomes.append((time.monotonic(), False, "socket"))
                c = None
    threads = [threading.Thread(target=load, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    try:
        poll("load runs", lambda: len(outcomes) > 50)
        amqp_cluster.rabbitmq.restart()
        back = time.monotonic()
        poll("answers after the restart", lambda: any(ok and t > back for t, ok, _ in outcomes[-20:]), timeout=30)
        first_ok = min(t for t, ok, _ in outcomes if ok and t > back)
        assert first_ok - back < 10, first_ok - back
        count = len(outcomes)
        poll("load goes on", lambda: len(outcomes) > count + 50)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=2 * DEADLINE)
    kinds = {kind for _, ok, kind in outcomes if not ok}
    assert "hung" not in kinds and "socket" not in kinds, kinds
    assert kinds <= {"IO", "NotFound", "Timeout"}, kinds
    amqp_cluster.wait_registered()
