"""Estimating a vessel's ESI score from its engines and bunkers (the ESI formula), without deciding a call."""

from __future__ import annotations

from ..core.esi import estimate
from ..core.facts import as_of_date
from ..core.jsonwire import loads
from ..core.request import ESTIMATE_SCHEMA, parse_request
from ..core.values import to_json
from .clock import utc_today


class EsiService:
    def __init__(self, today=utc_today):
        self.today = today

    def estimate(self, body: bytes) -> dict:
        """The estimate, JSON-ready, for a body `{vessel, call?}`, judged on the call's arrival, else today (UTC).

        Raises MalformedJson or InvalidRequest for a bad body. A declared vessel.esi.score is shown beside the
        estimate: decisions use the declared one.
        """
        request = parse_request(loads(body), ESTIMATE_SCHEMA)
        vessel = request["vessel"]
        result = estimate(vessel, as_of_date(request, self.today())).as_json()
        declared = (vessel.get("esi") or {}).get("score")
        return {"vessel": {"imo": vessel["imo"]}, "declared_score": to_json(declared), **result}
