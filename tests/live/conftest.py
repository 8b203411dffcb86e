"""Everything here starts real processes (gunicorn, redis-server, PostgreSQL, a fuzzer): marked `live`."""

import pytest


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/tests/live/" in str(item.fspath):
            item.add_marker(pytest.mark.live)
