"""The PostgreSQL the tests start: it answers through SQLAlchemy and psycopg, keeps what was committed
across a kill, and leaves nothing running once closed."""

import socket
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from incentive_api.testing.server import HOST, living
from support.postgres import PostgresServer


def engine(url: str) -> sa.Engine:
    # No pool: a connection kept across kill() would be a dead one.
    return sa.create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": 5})


def rows(url: str, query: str) -> list:
    with engine(url).connect() as conn:
        return [tuple(row) for row in conn.execute(sa.text(query))]


@pytest.fixture
def server():
    with PostgresServer() as started:
        yield started


def test_the_session_server_answers_on_loopback_as_the_test_role(postgres_url):
    assert postgres_url.startswith("postgresql+psycopg://incentive:")
    [(one, user, database, address, fsync)] = rows(
        postgres_url, "SELECT 1, current_user, current_database(), host(inet_server_addr()), current_setting('fsync')")
    assert (one, user, database, address, fsync) == (1, "incentive", "incentive", HOST, "on")


def test_the_test_role_needs_its_password(postgres_server):
    wrong = postgres_server.url.replace(postgres_server.password, "wrong")
    with pytest.raises(sa.exc.OperationalError, match="password authentication failed"):
        rows(wrong, "SELECT 1")


def test_committed_rows_survive_a_kill_and_uncommitted_ones_do_not(server):
    with engine(server.url).begin() as conn:
        conn.execute(sa.text("CREATE TABLE journal (id int PRIMARY KEY, note text)"))
        conn.execute(sa.text("INSERT INTO journal VALUES (1, 'committed')"))
    pending = engine(server.url).connect()
    pending.begin()
    pending.execute(sa.text("INSERT INTO journal VALUES (2, 'in flight')"))
    before = {server.pid} | server.children(server.pid)

    server.kill()
    assert not before & living(lambda _fields, _command: True)
    pending.invalidate()
    server.start()

    assert server.pid not in before
    assert rows(server.url, "SELECT id, note FROM journal ORDER BY id") == [(1, "committed")]
    assert "database system was interrupted" in server.log_path.read_text()  # it went through crash recovery


def test_stop_then_start_keeps_the_data_and_the_address(server):
    url = server.url
    with engine(url).begin() as conn:
        conn.execute(sa.text("CREATE TABLE kept AS SELECT 42 AS answer"))
    server.stop()
    assert not server.forced and server.pid is None
    server.start()
    assert server.url == url
    assert rows(url, "SELECT answer FROM kept") == [(42,)]


def test_nothing_is_left_running_once_closed():
    server = PostgresServer().start()
    session = engine(server.url).connect()  # a backend for the fast shutdown to end as well
    session.execute(sa.text("SELECT 1"))
    processes = {server.pid} | server.children(server.pid)
    server.close()
    session.invalidate()
    assert not server.forced
    assert not processes & living(lambda _fields, _command: True)
    assert not Path(server.workdir).exists()
    with pytest.raises(OSError), socket.create_connection((HOST, server.port), timeout=1):
        pass
