"""The sender lease: one holder per store, freed when the holder goes, on both backends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from storage import make_engine, sender_lease
from storage.sender_lease import AdvisoryLease, FileLease, ProcessLease
from tests.stores import POSTGRES_URL, PostgresServer, end_lock_sessions

REPO = Path(__file__).resolve().parents[2]
ONLY_POSTGRESQL = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
ONLY_SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
HOLD = """
import sys, time
from storage import make_engine, sender_lease
lease = sender_lease(make_engine(sys.argv[1]))
assert lease.acquire()
print("held", flush=True)
time.sleep(60)
"""


@pytest.fixture
def other_engine(database_url: str) -> Iterator[Engine]:
    """A second engine on the same store, as another process would have."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def eventually_acquired(engine: Engine, timeout: float = 10.0) -> bool:
    """Try a fresh lease until it is taken (the holder's death is noticed asynchronously)."""
    lease = sender_lease(engine)
    deadline = time.monotonic() + timeout
    while not lease.acquire():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    lease.release()
    return True


def test_only_one_lease_is_held_at_a_time(empty_engine: Engine, other_engine: Engine) -> None:
    first, second = sender_lease(empty_engine), sender_lease(other_engine)
    assert first.acquire()
    assert not second.acquire()
    assert first.alive()
    assert not second.alive()

    first.release()
    assert not first.alive()
    assert second.acquire()
    assert not first.acquire()
    second.release()


def test_the_holder_acquiring_again_keeps_the_lease(
    empty_engine: Engine, other_engine: Engine
) -> None:
    lease = sender_lease(empty_engine)
    assert lease.acquire()
    assert lease.acquire()
    assert not sender_lease(other_engine).acquire()
    lease.release()
    lease.release()  # a second release is harmless
    assert eventually_acquired(other_engine, timeout=0)


@pytest.mark.slow
def test_a_killed_holder_process_frees_the_lease(database_url: str, empty_engine: Engine) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD, database_url],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "held"
        assert not sender_lease(empty_engine).acquire()
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
        assert eventually_acquired(empty_engine)
    finally:
        child.kill()
        child.wait(10)
        if child.stdout is not None:
            child.stdout.close()


@ONLY_POSTGRESQL
def test_a_lost_lock_connection_is_noticed_and_frees_the_lease(
    empty_engine: Engine, other_engine: Engine
) -> None:
    lease = sender_lease(empty_engine)
    assert isinstance(lease, AdvisoryLease)
    assert lease.acquire()
    assert end_lock_sessions(other_engine) == [True]
    assert not lease.alive()
    assert eventually_acquired(other_engine)
    lease.release()  # closing the dead connection is harmless


@ONLY_POSTGRESQL
def test_each_schema_has_a_lease_of_its_own(
    empty_engine: Engine, postgres_server: PostgresServer
) -> None:
    schema = postgres_server.create_schema()
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    elsewhere = make_engine(url.render_as_string(hide_password=False))
    try:
        here, there = sender_lease(empty_engine), sender_lease(elsewhere)
        assert here.acquire()
        assert there.acquire()
        assert schema in there.description
        here.release()
        there.release()
    finally:
        elsewhere.dispose()
        postgres_server.drop_schemas(schema)


@ONLY_SQLITE
def test_sqlite_locks_a_file_next_to_the_database(empty_engine: Engine) -> None:
    lease = sender_lease(empty_engine)
    assert isinstance(lease, FileLease)
    database = Path(empty_engine.url.database or "")
    assert lease.path == database.with_name(database.name + ".sender.lock")
    assert lease.acquire()
    assert lease.path.exists()
    lease.release()


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_an_in_memory_store_is_always_ours(url: str) -> None:
    engine = make_engine(url)
    try:
        first, second = sender_lease(engine), sender_lease(engine)
        assert isinstance(first, ProcessLease)
        assert first.acquire()
        assert second.acquire()
        assert first.alive()
    finally:
        engine.dispose()


def test_an_unreachable_postgresql_is_not_held(caplog: pytest.LogCaptureFixture) -> None:
    engine = make_engine("postgresql://postgres@127.0.0.1:1/triagem?connect_timeout=3")
    try:
        lease = sender_lease(engine)
        assert not lease.acquire()
        assert not lease.alive()
        assert "cannot reach the database" in caplog.text
    finally:
        engine.dispose()
