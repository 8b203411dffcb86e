"""Operator routes: reload the rules, and what-if a candidate set before publishing it."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from ..adapters.rulefiles import read_rule_files
from ..core.errors import RulesetError
from ..core.request import error_pointers
from ..core.ruleset import compile_ruleset
from ..core.whatif import diff
from ..sampling.fleet import generate_requests
from .body import read_json
from .problems import problem
from .responses import json_response as _json
from .rules_state import RulesState
from .rules_sync import RulesSync

MAX_CANDIDATE_FILES = 500


class DryRunSchema(Schema):
    class Meta:
        unknown = RAISE

    # Files that replace, add to (text) or remove from (null) the active rules directory.
    files = fields.Dict(keys=fields.String(validate=validate.Regexp(r"^[A-Za-z0-9_./-]{1,200}\.ya?ml\Z",
                                                                    error="a rule file name ending .yaml")),
                        values=fields.String(allow_none=True, validate=validate.Length(max=1_000_000)),
                        required=True, validate=validate.Length(min=1, max=MAX_CANDIDATE_FILES))
    requests = fields.List(fields.Raw(), validate=validate.Length(min=1, max=5000))
    sample = fields.Integer(strict=True, validate=validate.Range(min=1, max=5000), load_default=600)
    today = fields.Date()


DRY_RUN = DryRunSchema()


def rule_error_items(errors) -> list[dict]:
    return [{"pointer": "", "message": str(e), "file": e.file, "line": e.line, "column": e.col,
             "rule_path": e.rule_path} for e in errors]


def register_admin(app: Flask, state: RulesState, sync: RulesSync) -> None:
    @app.post("/v1/admin/rules/reload")
    def reload_rules():
        before = state.active.ruleset.revision if state.active else None
        ok, errors = sync.reload()
        if not ok:
            return problem(422, f"The rules in the directory do not load ({len(errors)} errors); "
                                f"revision {before} stays active.", rule_error_items(errors),
                           title="Rules not loaded")
        rs = state.active.ruleset
        return _json({"revision": rs.revision, "previous_revision": before, "changed": rs.revision != before,
                      "loaded_at": state.active.loaded_at, "program_count": len(rs.programs),
                      "edition_count": rs.edition_count, "warnings": [str(w) for w in rs.warnings]})

    @app.post("/v1/admin/rules/dry-run")
    def dry_run():
        active = state.active
        if active is None:
            return problem(503, "No ruleset is loaded to compare with.", headers={"Retry-After": "5"})
        try:
            body = DRY_RUN.load(read_json())
        except ValidationError as exc:
            return problem(422, "The dry-run request is invalid; see errors.", error_pointers(exc.messages))
        files = dict(read_rule_files(state.directory))
        for name, text in body["files"].items():
            if text is None:
                files.pop(name, None)
            else:
                files[name] = text
        try:
            candidate = compile_ruleset(sorted(files.items()))
        except RulesetError as exc:
            errors = [e for e in exc.errors if e.severity == "error"]
            return problem(422, f"The candidate rules do not load ({len(errors)} errors).",
                           rule_error_items(errors), title="Rules not loaded")
        bodies = body.get("requests") or generate_requests(body["sample"])
        today = body.get("today") or dt.datetime.now(dt.timezone.utc).date()
        return _json(diff(active.ruleset, candidate, bodies, today))
