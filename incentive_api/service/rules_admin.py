"""Operator use cases: publish the rules directory, and what-if a candidate set before publishing it."""

from __future__ import annotations

import datetime as dt

from marshmallow import ValidationError, fields, validate, validates_schema

from ..core.errors import RulesetError
from ..core.examples import example_errors
from ..core.jsonwire import loads
from ..core.request import error_pointers
from ..core.ruleset import Ruleset
from ..core.strict import StrictSchema
from ..core.whatif import diff
from ..sampling.fleet import generate_requests
from .clock import utc_today
from .problems import NoRuleset, Problem
from .publication import RulesSync
from .recording import Recorder
from .rules import RulesState, compiled, directory_files

MAX_CANDIDATE_FILES = 500


class ReplaySchema(StrictSchema):
    since = fields.Date()
    limit = fields.Integer(strict=True, validate=validate.Range(min=1, max=100_000), load_default=10_000)


class DryRunSchema(StrictSchema):
    # Files that replace, add to (text) or remove from (null) the active rules directory.
    files = fields.Dict(keys=fields.String(validate=validate.Regexp(r"^[A-Za-z0-9_./-]{1,200}\.ya?ml\Z",
                                                                    error="a rule file name ending .yaml")),
                        values=fields.String(allow_none=True, validate=validate.Length(max=1_000_000)),
                        required=True, validate=validate.Length(min=1, max=MAX_CANDIDATE_FILES))
    requests = fields.List(fields.Raw(), validate=validate.Length(min=1, max=5000))
    # Replay the requests of recorded decisions (real traffic) instead of a sample.
    records = fields.Nested(ReplaySchema)
    sample = fields.Integer(strict=True, validate=validate.Range(min=1, max=5000), load_default=600)
    today = fields.Date()

    @validates_schema
    def _one_source_of_calls(self, data, **kw):
        if "records" in data and "requests" in data:
            raise ValidationError("Give `requests` or `records`, not both.", "records")


DRY_RUN = DryRunSchema()


def rule_error_items(errors) -> list[dict]:
    return [{"pointer": "", "message": str(e), "file": e.file, "line": e.line, "column": e.col,
             "rule_path": e.rule_path} for e in errors]


def _not_loaded(detail: str, errors) -> Problem:
    return Problem(422, detail, rule_error_items(errors), title="Rules not loaded")


class RulesAdmin:
    def __init__(self, rules: RulesState, sync: RulesSync, recorder: Recorder, today=utc_today):
        self.rules, self.sync, self.recorder, self.today = rules, sync, recorder, today

    def reload(self) -> dict:
        """Load and validate the directory, publish it to every worker and instance, or refuse it."""
        before = self.rules.active.ruleset.revision if self.rules.active else None
        ok, errors = self.sync.reload()
        if not ok:
            raise _not_loaded(f"The rules in the directory do not load ({len(errors)} errors); "
                              f"revision {before} stays active.", errors)
        active = self.rules.active
        rs = active.ruleset
        return {"revision": rs.revision, "previous_revision": before, "changed": rs.revision != before,
                "loaded_at": active.loaded_at, "program_count": len(rs.programs),
                "edition_count": rs.edition_count, "warnings": [str(w) for w in rs.warnings]}

    def dry_run(self, body) -> dict:
        """What candidate files (an overlay on the active directory) would change, on given or sampled calls."""
        active = self.rules.active
        if active is None:
            raise NoRuleset("No ruleset is loaded to compare with.")
        try:
            body = DRY_RUN.load(body)
        except ValidationError as exc:
            raise Problem(422, "The dry-run request is invalid; see errors.", error_pointers(exc.messages)) from None
        files = dict(directory_files(self.rules.directory))
        for name, text in body["files"].items():
            if text is None:
                files.pop(name, None)
            else:
                files[name] = text
        try:
            candidate = compiled(sorted(files.items()))
        except RulesetError as exc:
            errors = [e for e in exc.errors if e.severity == "error"]
            raise _not_loaded(f"The candidate rules do not load ({len(errors)} errors).", errors) from None
        bodies = body.get("requests")
        if "records" in body:
            bodies = self.recorded_requests(body["records"].get("since"), body["records"]["limit"])
        report = what_if(active.ruleset, candidate, bodies, body["sample"], body.get("today") or self.today())
        report["failing_examples"] = [str(e) for e in example_errors(candidate)]
        report["warnings"] = [str(w) for w in candidate.warnings]
        return report

    def recorded_requests(self, since: dt.date | None = None, limit: int = 10_000) -> list:
        return recorded_requests(self.recorder, since, limit)


def recorded_requests(recorder: Recorder, since: dt.date | None = None, limit: int = 10_000) -> list:
    """The requests of decisions recorded since a day (UTC), oldest first: last month's real calls."""
    start = dt.datetime.combine(since, dt.time(), dt.timezone.utc) if since else None
    return [loads(text) for text in recorder.requests(start, limit)]


def what_if(old: Ruleset, new: Ruleset, bodies: list | None, sample: int, today=None) -> dict:
    """The same calls (given, or a sample generated from the old rules) decided under both rulesets."""
    bodies = bodies if bodies is not None else generate_requests(sample, ruleset=old)
    return diff(old, new, bodies, today or utc_today())
