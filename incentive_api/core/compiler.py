"""Compile one rule file's text into a Program, reporting every problem with its place."""

from __future__ import annotations

from decimal import Decimal

from marshmallow import ValidationError, fields, validate

from .conditions import Problems, compile_condition, condition_text
from .errors import RuleError, rule_path_text
from .inputs import FIELDS
from .marpol import ECAS, OUTSIDE
from .model import Addon, Band, Benefit, Edition, Example, Level, Program, fee_currency_errors
from .money import Money, finer_than_minor_unit, minor_unit_rule
from .request import InvalidRequest, parse_request
from .rulefile import LOCODE, PROGRAM_SPEC, SOURCE_ID, SOURCE_LIST_SPEC
from .strict import StrictSchema, walk_messages
from .yamlsafe import load_located

SOURCES_FILE = "sources.yaml"  # the source list, at the top of a rules directory
AREAS_FILE = "emission-control-areas.yaml"  # which ports lie in which MARPOL emission control area


class Locator:
    """Turns a rule path into file:line:col using the marks the YAML loader kept."""

    def __init__(self, filename: str, marks: dict, errors: list):
        self.filename, self.marks, self.errors = filename, marks, errors

    def where(self, rpath: tuple, key: str | None = None) -> tuple[int, int]:
        if key is not None and ("key",) + rpath in self.marks:
            return self.marks[("key",) + rpath]
        path = tuple(rpath)
        while path:
            if path in self.marks:
                return self.marks[path]
            path = path[:-1]
        return self.marks.get((), (1, 1))

    def __call__(self, rpath: tuple, message: str, key: str | None = None, severity: str = "error"):
        line, col = self.where(rpath, key)
        self.errors.append(RuleError(self.filename, line, col, message, rule_path_text(rpath), severity))


def _structure_errors(messages, rpath: tuple, locate: Locator, data) -> None:
    """Map marshmallow's nested messages onto located errors."""
    for path, msg in walk_messages(messages):
        path = rpath + tuple("from" if key == "from_" else key for key in path)
        if msg == "Unknown field.":
            locate(path, f"unknown key {path[-1]!r}", key=path[-1])
        elif msg == "Missing data for required field.":
            locate(path[:-1], f"missing required key {path[-1]!r}")
        else:
            locate(path, msg)


def _load(filename: str, text: str, schema, shape: str):
    """(spec or None, locator, marks, errors) for one YAML file read against a schema."""
    data, marks, errors = load_located(text, filename)
    locate = Locator(filename, marks, errors)
    if errors:
        return None, locate, marks, errors
    if not isinstance(data, dict):
        locate((), shape)
        return None, locate, marks, errors
    try:
        return schema.load(data), locate, marks, errors
    except ValidationError as exc:
        _structure_errors(exc.messages, (), locate, data)
        return None, locate, marks, errors


def compile_source_list(filename: str, text: str) -> tuple[dict | None, list[RuleError]]:
    """The source list as {id: {id, title, url}}, every bad entry reported with its place."""
    spec, locate, _marks, errors = _load(filename, text, SOURCE_LIST_SPEC,
                                         "the source list is a mapping whose one key, sources, lists {id, title, url}")
    if spec is None:
        return None, errors
    listed: dict = {}
    for i, src in enumerate(spec["sources"]):
        if src["id"] in listed:
            locate(("sources", i, "id"), f"duplicate source id {src['id']!r}")
        listed.setdefault(src["id"], {"id": src["id"], "title": src["title"], "url": src["url"]})
    return (None if errors else listed), errors


class _PlacedPorts(StrictSchema):
    ports = fields.List(fields.String(validate=LOCODE), required=True)
    sources = fields.List(fields.String(validate=SOURCE_ID), load_default=list)
    notes = fields.List(fields.String(), load_default=list)


class _Area(_PlacedPorts):
    area = fields.String(required=True,
                         validate=validate.OneOf(ECAS, error="an emission control area: one of {choices}"))


class _AreaList(StrictSchema):
    sources = fields.List(fields.String(validate=SOURCE_ID), required=True, validate=validate.Length(min=1))
    notes = fields.List(fields.String(), load_default=list)
    areas = fields.List(fields.Nested(_Area), required=True, validate=validate.Length(min=1))
    outside = fields.Nested(_PlacedPorts, required=True)


AREA_LIST_SPEC = _AreaList()


def compile_area_list(filename: str, text: str, listed: dict | None = None) -> tuple[dict | None, list[RuleError]]:
    """The emission control areas as {port or country*: ECA id, or OUTSIDE}, every bad entry at its place."""
    spec, locate, _marks, errors = _load(filename, text, AREA_LIST_SPEC,
                                         "the area list is a mapping with sources, areas and outside")
    if spec is None:
        return None, errors
    cite = _Compiler(filename, locate, _marks, listed).cite
    cite(spec["sources"], ("sources",))
    placed: dict = {}
    where: dict = {}
    groups = [(("areas", i), area["area"], area) for i, area in enumerate(spec["areas"])]
    groups.append((("outside",), OUTSIDE, spec["outside"]))
    for rpath, area, group in groups:
        if area != OUTSIDE and area in where:
            locate(rpath + ("area",), f"area {area!r} is listed twice (also {rule_path_text(where[area])})")
        where.setdefault(area, rpath)
        cite(group["sources"], rpath + ("sources",))
        for j, port in enumerate(group["ports"]):
            if port in placed:
                locate(rpath + ("ports", j), f"port {port} is placed twice: also in "
                       f"{'outside' if placed[port] == OUTSIDE else placed[port]}")
            placed.setdefault(port, area)
    return (None if errors else placed), errors


def compile_file(filename: str, text: str, listed: dict | None = None) -> tuple[Program | None, list[RuleError]]:
    """One rule file; `listed` is the source list its citations must come from (None: not checked)."""
    spec, locate, marks, errors = _load(filename, text, PROGRAM_SPEC,
                                        "a rule file is a mapping with program, name, sponsor, kind, sources, editions")
    if spec is None:
        return None, errors
    program = _Compiler(filename, locate, marks, listed).program(spec)
    program.at = marks.get(("program",), (1, 1))
    if any(e.severity == "error" for e in errors):
        return None, errors
    return program, errors


class _Compiler:
    def __init__(self, filename: str, locate: Locator, marks: dict, listed: dict | None):
        self.filename, self.locate, self.marks, self.listed = filename, locate, marks, listed
        self.problem = Problems(locate)
        self.fee_reads: list = []  # (fee, rule path of its `fee` key) for each benefit of the edition being compiled

    def cite(self, ids: list, rpath: tuple) -> list:
        """The cited sources as {id, title, url}; an id missing from the source list is an error at that id."""
        out = []
        for i, sid in enumerate(ids):
            found = None if self.listed is None else self.listed.get(sid)
            if found is None and self.listed is not None:
                self.locate(rpath + (i,), f"unknown source {sid!r}: it is not in {SOURCES_FILE}")
            out.append(found or {"id": sid, "title": None, "url": None})
        return out

    def cond(self, raw, rpath):
        return compile_condition(raw, rpath, self.problem)

    def program(self, spec: dict) -> Program:
        program = Program(
            id=spec["program"], name=spec["name"], sponsor=spec["sponsor"], kind=spec["kind"],
            draft=spec["draft"], sources=spec["sources"], notes=spec["notes"], file=self.filename,
            cited=self.cite(spec["sources"], ("sources",)))
        seen = {}
        for i, ed in enumerate(spec["editions"]):
            rp = ("editions", i)
            if ed["edition"] in seen:
                self.locate(rp + ("edition",), f"duplicate edition {ed['edition']!r} (also editions[{seen[ed['edition']]}])")
            seen[ed["edition"]] = i
            edition = self.edition(program, ed, rp)
            if edition is not None:
                program.editions.append(edition)
        self.check_windows(program, spec)
        for i, ex in enumerate(spec["examples"]):
            rp = ("examples", i)
            try:
                request = parse_request(ex["request"])
            except InvalidRequest as bad:
                self.request_errors(bad.errors, rp)
                continue
            self.check_example_fees(program, request, rp)
            wl, wc = self.locate.where(rp)
            program.examples.append(Example(ex["name"], ex["request"], ex["expect"], self.filename, wl, wc))
        if not spec["examples"]:
            self.locate(("program",), "program has no examples; add a pass, a fail and an edge case", severity="warning")
        return program

    def check_example_fees(self, program: Program, request: dict, rp: tuple) -> None:
        """An example's fee in another currency than the editions in effect on its arrival read it in."""
        call = request.get("call") or {}
        arrival = call.get("arrival")
        editions = [e for e in program.editions if arrival is None or e.in_effect(arrival)]
        self.request_errors(fee_currency_errors(editions, call.get("fees") or {}), rp)

    def request_errors(self, errors: list, rp: tuple) -> None:
        """Each pointer error of an example's request, at its place in the example."""
        for err in errors:
            sub = tuple(int(t) if t.isdigit() else t for t in err["pointer"].split("/")[1:])
            self.locate(rp + ("request",) + sub, f"example request: {err['pointer']}: {err['message']}")

    def check_windows(self, program: Program, spec: dict) -> None:
        eds = sorted(program.editions, key=lambda e: (e.start is not None, e.start or 0))
        for a, b in zip(eds, eds[1:]):
            if a.until is None or b.start is None or a.until > b.start:
                idx = [e["edition"] for e in spec["editions"]].index(b.edition)
                self.locate(("editions", idx, "effective"),
                            f"editions {a.edition!r} and {b.edition!r} of {program.id} are both in effect on "
                            f"{(b.start or a.start or '(no start)')}; end one edition where the next begins")

    def edition(self, program: Program, ed: dict, rp: tuple) -> Edition | None:
        first_leaf = len(self.problem.leaves)
        self.fee_reads = []
        win = ed["effective"]
        start, until = win.get("from_"), win.get("until")
        if start and until and until <= start:
            self.locate(rp + ("effective", "until"), f"'until' ({until}) must be after 'from' ({start})")
        if start is None and not ed["notes"]:
            self.locate(rp + ("effective",), "no 'from' date: say in the edition's notes why the start is unknown")
        applies = ed["applies"]
        gates = self.gates(applies, rp + ("applies",))
        conditions = self.cond(ed["conditions"], rp + ("conditions",)) if "conditions" in ed else None
        draft = program.draft or ed["draft"]
        if ed.get("sources"):
            sources, cited = ed["sources"], self.cite(ed["sources"], rp + ("sources",))
        else:
            sources, cited = program.sources, program.cited
        notes = list(program.notes) + list(ed["notes"])
        if draft:
            notes.insert(0, "DRAFT: the published figures for this program are incomplete; "
                            "do not bill on this answer.")
        notes.append("Sources: " + ", ".join(sources) + " (see programs.md).")

        score_path = score_points = None
        if "score" in ed:
            sc = ed["score"]
            if "path" in sc:
                ftype = FIELDS.get(sc["path"])
                if ftype is None or ftype.kind not in ("number", "integer"):
                    self.locate(rp + ("score", "path"), f"score path {sc['path']!r} is not a numeric input")
                score_path = sc["path"]
            else:
                score_points = []
                for j, pt in enumerate(sc["points"]):
                    c = self.cond(pt["when"], rp + ("score", "points", j, "when"))
                    score_points.append((c, pt["points"], pt.get("note")))
        bands = self.bands(ed.get("bands") or [], rp + ("bands",), score_path or "score")
        if bands and "score" not in ed:
            self.locate(rp + ("bands",), "bands need a 'score' to place the call in")
        if "score" in ed and not bands:
            self.locate(rp + ("score",), "a score without bands decides nothing; add bands")
        levels = [Level(lv["level"], self.cond(lv["when"], rp + ("levels", j, "when")),
                        self.benefits(lv["benefits"], rp + ("levels", j, "benefits"), f"level:{lv['level']}"),
                        condition_text(lv["when"]), lv.get("note"))
                  for j, lv in enumerate(ed.get("levels") or [])]
        seen_when: dict = {}
        for j, lv in enumerate(levels):
            if lv.text in seen_when:
                self.locate(rp + ("levels", j, "when"), f"level {lv.level!r} can never be reached: level "
                            f"{seen_when[lv.text]!r} above it has the same condition", severity="warning")
            seen_when.setdefault(lv.text, lv.level)
        if bands and levels:
            self.locate(rp + ("levels",), "use either bands (by score) or levels (by condition), not both")
        addons = [Addon(ad["id"], self.cond(ad["when"], rp + ("addons", j, "when")), ad["standalone"],
                        self.benefits(ad["benefits"], rp + ("addons", j, "benefits"), f"addon:{ad['id']}"),
                        condition_text(ad["when"]), ad.get("note"))
                  for j, ad in enumerate(ed["addons"])]
        self.check_dead_branches(ed, applies, rp)
        benefits = self.benefits(ed.get("benefits") or [], rp + ("benefits",), "program")
        cap = self.money(ed["cap"], rp + ("cap",)) if "cap" in ed else None
        fee_currencies = self.fee_currencies(ed.get("fee_currencies") or {}, rp)
        if cap is not None:
            self.check_cap(cap, benefits + [b for x in bands + levels + addons for b in x.benefits],
                           fee_currencies, rp)
        if program.kind == "requirement":
            for key in ("score", "bands", "levels", "benefits", "cap", "fee_currencies"):
                if key in ed:
                    self.locate(rp + (key,), f"a requirement program has no {key}; it has conditions and obligations", key=key)
            if ed["addons"]:
                self.locate(rp + ("addons",), "a requirement program has no add-ons", key="addons")
            if not ed["obligations"]:
                self.locate(rp, "a requirement program lists its obligations")
        elif ed["obligations"]:
            self.locate(rp + ("obligations",), "obligations belong to requirement programs", key="obligations")
        ids = [b.id for b in benefits] + [b.id for x in bands + levels for b in x.benefits] + \
              [b.id for a in addons for b in a.benefits]
        for dup in sorted({i for i in ids if ids.count(i) > 1} - self._alternative_ids(bands, levels)):
            self.locate(rp, f"benefit id {dup!r} is used twice in this edition")
        line = self.locate.where(rp)[0]
        return Edition(
            program=program, edition=ed["edition"], name=ed.get("name") or program.name, start=start,
            until=until, draft=draft, ports=tuple(applies["ports"]), gates=gates, conditions=conditions,
            score_path=score_path, score_points=score_points, bands=bands, levels=levels, benefits=benefits,
            addons=addons, cap=cap, obligations=ed["obligations"], notes=notes, sources=sources,
            file=self.filename, line=line, bands_rule=rule_path_text(rp + ("bands",)),
            leaf_rules=self.problem.leaves[first_leaf:], cited=cited, fee_currencies=fee_currencies)

    def fee_currencies(self, stated: dict, rp: tuple) -> dict:
        """{fee: currency} for each fee the edition's benefits read; each read needs its fee's currency stated."""
        read = {}
        for fee, where in self.fee_reads:
            if fee in stated:
                read[fee] = stated[fee]
            else:
                self.locate(where, f"reads call.fees.{fee}, whose currency the edition does not state: "
                                   f"add fee_currencies: {{{fee}: <ISO 4217 code>}}")
        for fee in sorted(stated.keys() - read.keys()):
            self.locate(rp + ("fee_currencies", fee), f"no benefit of this edition reads {fee}; "
                        "remove its currency", key=fee, severity="warning")
        return read

    def money(self, spec: dict, rp: tuple) -> Money:
        """An amount from a rule file; digits below its currency's minor unit (10.5 JPY) are an error."""
        if finer_than_minor_unit(spec["amount"], spec["currency"]):
            self.locate(rp + ("amount",), f"{minor_unit_rule(spec['currency'])}; {spec['amount']} has finer digits")
        return Money(spec["amount"], spec["currency"])

    def check_cap(self, cap: Money, benefits: list, fee_currencies: dict, rp: tuple) -> None:
        """A cap bounds a total, so it must be in the currency every benefit pays in."""
        paid_in = {b.amount.currency if b.kind == "fixed" else fee_currencies.get(b.fee) for b in benefits}
        other = sorted(c for c in paid_in - {cap.currency} if c is not None)
        if other:
            self.locate(rp + ("cap", "currency"), f"the cap is in {cap.currency}, but benefits of this edition pay "
                        f"in {', '.join(other)}: state the cap in the currency of the total it bounds")

    def check_dead_branches(self, ed: dict, applies: dict, rp: tuple) -> None:
        """Warn about levels and add-ons that the edition's own conditions shut out.

        Only the simple, common case is read: `=` / `in` comparisons that must all hold.
        If the edition requires vessel.type in [container] and an add-on asks for
        vessel.type = cruise, that add-on can never pay.
        """
        required = _must_be(ed.get("conditions"))
        if "vessel_types" in applies:
            required.setdefault("vessel.type", set(applies["vessel_types"]))
        if not required:
            return
        branches = [("levels", j, "level " + repr(x["level"]), x["when"]) for j, x in enumerate(ed.get("levels") or [])]
        branches += [("addons", j, "add-on " + repr(x["id"]), x["when"]) for j, x in enumerate(ed["addons"])]
        for key, j, label, when in branches:
            for path, values in _must_be(when).items():
                if path in required and not (values & required[path]):
                    self.locate(rp + (key, j, "when"), f"{label} can never apply: it needs {path} in "
                                f"{sorted(values)}, but the edition only admits {sorted(required[path])}",
                                severity="warning")

    @staticmethod
    def _alternative_ids(bands, levels) -> set:
        """Ids repeated across alternative levels never pay twice on one call."""
        return {b.id for x in bands + levels for b in x.benefits}

    def gates(self, applies: dict, rp: tuple) -> list:
        raw = []
        if "vessel_types" in applies:
            raw.append(("vessel_types", {"path": "vessel.type", "op": "in", "value": applies["vessel_types"],
                                         "why": "vessel type covered"}))
        gt = applies.get("gross_tonnage") or {}
        if "min" in gt:
            raw.append(("gross_tonnage", {"path": "vessel.gross_tonnage", "op": ">=", "value": gt["min"],
                                          "why": "minimum gross tonnage"}))
        if "max" in gt:
            raw.append(("gross_tonnage", {"path": "vessel.gross_tonnage", "op": "<=", "value": gt["max"],
                                          "why": "maximum gross tonnage"}))
        if "flags" in applies:
            raw.append(("flags", {"path": "vessel.flag", "op": "in", "value": applies["flags"],
                                  "why": "flag covered"}))
        out = []
        for key, cond in raw:
            c = self.cond(cond, rp + (key,))
            if c is not None:
                out.append(c)
        return out

    def benefits(self, items: list, rp: tuple, origin: str) -> list:
        out = []
        for j, b in enumerate(items):
            when = self.cond(b["when"], rp + (j, "when")) if "when" in b else None
            if "fixed" in b:
                f = b["fixed"]
                out.append(Benefit(b["id"], "fixed", amount=self.money(f, rp + (j, "fixed")), when=when,
                                   note=b.get("note"), origin=origin))
            elif "percent_of_fee" in b:
                p = b["percent_of_fee"]
                if p["percent"] > 1000:
                    self.locate(rp + (j, "percent_of_fee", "percent"), "a percentage above 1000 is surely a typo")
                out.append(Benefit(b["id"], "percent_of_fee", percent=p["percent"], fee=p["fee"], when=when,
                                   note=b.get("note"), origin=origin))
                self.fee_reads.append((p["fee"], rp + (j, "percent_of_fee", "fee")))
            else:
                out.append(Benefit(b["id"], "waiver", percent=Decimal(100), fee=b["waiver"]["fee"], when=when,
                                   note=b.get("note"), origin=origin))
                self.fee_reads.append((b["waiver"]["fee"], rp + (j, "waiver", "fee")))
        return out

    def bands(self, items: list, rp: tuple, score_name: str) -> list:
        bands = []
        for j, b in enumerate(items):
            here = rp + (j,)
            if "min" in b and "above" in b:
                self.locate(here, "give one lower edge: 'min' (inclusive) or 'above' (exclusive)")
            if "max" in b and "below" in b:
                self.locate(here, "give one upper edge: 'max' (inclusive) or 'below' (exclusive)")
            lo = b.get("min", b.get("above"))
            hi = b.get("max", b.get("below"))
            if lo is not None and hi is not None and (hi < lo or (hi == lo and ("above" in b or "below" in b))):
                self.locate(here, f"band {b['level']!r} is empty: its upper edge is not above its lower edge")
            text = ("[" if "min" in b else "(") + (str(lo) if lo is not None else "-inf") + ", " + \
                   (str(hi) if hi is not None else "inf") + ("]" if "max" in b else ")")
            band = Band(b["level"], lo, "min" in b, hi, "max" in b,
                        self.benefits(b["benefits"], here + ("benefits",), f"level:{b['level']}"), text)
            band.rule, band.note = rule_path_text(here), b.get("note")
            if lo is not None:
                band.reach = {"level": b["level"], "needs": f"{score_name} {'>=' if 'min' in b else '>'} {lo}"}
            bands.append(band)
        order = sorted(range(len(bands)), key=lambda j: (bands[j].lo is not None, bands[j].lo or 0))
        for pos in range(len(order)):
            j = order[pos]
            if pos + 1 < len(order):
                a, b = bands[j], bands[order[pos + 1]]
                where = rp + (order[pos + 1],)
                if a.hi is None:
                    self.locate(where, f"bands {a.level!r} {a.text} and {b.level!r} {b.text} overlap: "
                                       f"{a.level!r} has no upper edge")
                elif b.lo is None or a.hi > b.lo or (a.hi == b.lo and a.hi_inclusive and b.lo_inclusive):
                    self.locate(where, f"bands {a.level!r} {a.text} and {b.level!r} {b.text} overlap")
                elif a.hi < b.lo or (a.hi == b.lo and not a.hi_inclusive and not b.lo_inclusive):
                    self.locate(where, f"gap between bands {a.level!r} {a.text} and {b.level!r} {b.text}: "
                                       "a score there has no level; make the edges meet")
        return [bands[j] for j in order]


def _must_be(raw) -> dict:
    """{path: allowed values} for the `=` / `in` comparisons a condition requires outright."""
    if not isinstance(raw, dict):
        return {}
    leaves = raw["all"] if isinstance(raw.get("all"), list) else [raw]
    out: dict = {}
    for leaf in leaves:
        if not isinstance(leaf, dict) or "path" not in leaf:
            continue
        op, value = leaf.get("op", "="), leaf.get("value")
        if op == "=" and isinstance(value, (str, bool)):
            values = {value}
        elif op == "in" and isinstance(value, list) and all(isinstance(v, (str, bool)) for v in value):
            values = set(value)
        else:
            continue
        out[leaf["path"]] = out[leaf["path"]] & values if leaf["path"] in out else values
    return out
