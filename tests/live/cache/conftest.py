import pytest
import redis

from incentive_api.adapters.redis.embedded import EmbeddedRedis
from incentive_api.config import Settings
from incentive_api.http.app import create_app
from support.helpers import keyed


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """A real redis-server for this test session, on a private unix socket."""
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"), persist=False).start()
    client = redis.Redis.from_url(server.url)
    # We talk to the server we started, not some other Redis on the machine.
    assert client.info("server")["process_id"] == server.proc.pid
    yield server
    server.stop()


@pytest.fixture
def rclient(redis_server):
    client = redis.Redis.from_url(redis_server.url)
    client.flushall()
    return client


@pytest.fixture
def app_factory(redis_server, rclient):
    def make(**over):
        over.setdefault("rules_poll_seconds", 3600)  # keep the reload poller's GETs out of command counts
        over.setdefault("rate_limit", "off")  # and the rate limiter's
        settings = Settings(redis_url=over.pop("redis_url", redis_server.url), **over)
        return keyed(create_app(settings))
    return make
