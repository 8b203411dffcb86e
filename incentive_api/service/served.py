"""An answer about to be sent, and what its record, its log line and its counts read from it."""

from __future__ import annotations

import orjson

from ..core.decision import Decision

OVERHEAD = 512  # bytes an entry costs beyond its answer and request: the object, its strings, the LRU's slot


class Served:
    __slots__ = ("body", "decision_id", "request", "cache", "port", "_decision", "_outcomes")

    def __init__(self, body: bytes, decision_id: str, request: bytes, cache: str, port: str | None,
                 decision: Decision | None = None, outcomes: tuple | None = None):
        self.body = body  # the answer's bytes, serialised once
        self.decision_id = decision_id
        self.request = request  # canonical JSON of the normalised request
        self.cache = cache  # hit-l1, hit-l2, miss or bypass
        self.port = port
        self._decision = decision
        self._outcomes = outcomes

    def via(self, cache: str) -> Served:
        return Served(self.body, self.decision_id, self.request, cache, self.port, self._decision, self._outcomes)

    def kept(self) -> Served:
        """What the cache of this process keeps: the bytes and what every hit counts, not the typed decision
        (several times the answer's size in memory; read back from the bytes when a hit needs it)."""
        outcomes = self._outcomes
        if outcomes is None and self._decision is not None:
            outcomes = self._decision.outcomes()  # made here; one from Redis is read for them only if counted
        return Served(self.body, self.decision_id, self.request, self.cache, self.port, None, outcomes)

    def weight(self) -> int:
        return len(self.body) + len(self.request) + OVERHEAD

    @property
    def decision(self) -> Decision:
        """The typed decision; an answer from a cache holds only bytes, and is read here, once, when asked."""
        if self._decision is None:
            self._decision = Decision.from_json(orjson.loads(self.body), self.port)
        return self._decision

    def outcomes(self) -> tuple:
        """(program, edition, status) per program: what /metrics counts of every answer sent."""
        if self._outcomes is None:
            self._outcomes = self.decision.outcomes()
        return self._outcomes
