"""The catalogue: programs in effect by port and date, one program, and the active ruleset."""

from __future__ import annotations

from marshmallow import ValidationError, fields

from ..core.describe import describe_edition, describe_program
from ..core.request import error_pointers
from ..core.strict import StrictSchema, unlocode
from .clock import utc_today
from .problems import NoRuleset, Problem, single_values
from .publication import RulesSync
from .rules import Active, RulesState


class ProgramsQuery(StrictSchema):
    port = fields.String(validate=unlocode("UN/LOCODE, e.g. USLGB."))
    as_of = fields.Date()


PROGRAMS_QUERY = ProgramsQuery()


class Catalogue:
    def __init__(self, rules: RulesState, sync: RulesSync, today=utc_today):
        self.rules, self.sync, self.today = rules, sync, today

    def _active(self) -> Active:
        active = self.rules.active
        if active is None:
            raise NoRuleset()
        return active

    def programs(self, args: dict) -> tuple[dict, str]:
        """(the programs in effect at `port` on `as_of` (default today, UTC), the revision)."""
        ruleset = self._active().ruleset
        try:
            query = PROGRAMS_QUERY.load(single_values(args))
        except ValidationError as exc:
            raise Problem(422, "The query string is invalid; see errors.", error_pointers(exc.messages)) from None
        as_of = query.get("as_of") or self.today()
        editions = ruleset.in_effect(query.get("port"), as_of)
        return {"as_of": as_of.isoformat(), "port": query.get("port"), "ruleset": {"revision": ruleset.revision},
                "programs": [describe_edition(e) for e in editions]}, ruleset.revision

    def program(self, program_id: str) -> tuple[dict | None, str]:
        """(one program with all its editions, or None when there is no such program; the revision)."""
        ruleset = self._active().ruleset
        found = ruleset.programs.get(program_id)
        if found is None:
            return None, ruleset.revision
        return {**describe_program(found), "ruleset": {"revision": ruleset.revision}}, ruleset.revision

    def ruleset(self) -> tuple[dict, str]:
        active = self._active()
        rs = active.ruleset
        last_error = self.rules.last_error
        failed = self.sync.last_failed or ({"at": None, "errors": last_error} if last_error else None)
        return {"revision": rs.revision, "loaded_at": active.loaded_at, "files": rs.files,
                "program_count": len(rs.programs), "edition_count": rs.edition_count,
                "last_failed_load": failed, "warnings": [str(w) for w in rs.warnings]}, rs.revision
