"""Running the service for real, for tests and benchmarks. Nothing here is imported by the service itself."""

from .server import GunicornServer, ServerError, free_port

__all__ = ["GunicornServer", "ServerError", "free_port"]
