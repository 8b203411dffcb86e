"""An answer about to be sent, and what its record, its log line and its counts read from it."""

from __future__ import annotations

import orjson

from ..core.decision import Decision


class Served:
    __slots__ = ("body", "decision_id", "request", "cache", "port", "_decision")

    def __init__(self, body: bytes, decision_id: str, request: bytes, cache: str, port: str | None,
                 decision: Decision | None = None):
        self.body = body  # the answer's bytes, serialised once
        self.decision_id = decision_id
        self.request = request  # canonical JSON of the normalised request
        self.cache = cache  # hit-l1, hit-l2, miss or bypass
        self.port = port
        self._decision = decision

    def via(self, cache: str) -> Served:
        return Served(self.body, self.decision_id, self.request, cache, self.port, self._decision)

    @property
    def decision(self) -> Decision:
        """The typed decision; an answer found in Redis holds only bytes, and is read here, once, when asked."""
        if self._decision is None:
            self._decision = Decision.from_json(orjson.loads(self.body), self.port)
        return self._decision

    def outcomes(self) -> tuple:
        return self.decision.outcomes()
