"""Real gunicorn instances for operations tests, each with its own env, torn down after."""

from pathlib import Path

from incentive_api.testing import GunicornServer

ROOT = Path(__file__).resolve().parents[2]


class Server(GunicornServer):
    """gunicorn with `env` on top of the test environment, logging warnings and worse."""

    def __init__(self, env: dict, workers: int = 2):
        super().__init__({"LOG_LEVEL": "warning", **env}, workers=workers)
