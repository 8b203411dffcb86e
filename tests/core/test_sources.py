"""The source list: citations must be in it, and answers carry each cited source's title and url."""

import re
from pathlib import Path

import pytest

from incentive_api.core.describe import describe_program
from incentive_api.core.errors import RulesetError
from incentive_api.service.rules import load_compiled as load_ruleset
from support.helpers import RULES, compile_texts, decide_body, entry, vessel

SOURCES = """\
sources:
  - id: S1
    title: "First source"
    publisher: Demo port
    url: "https://example.org/one"
  - id: S2
    title: "Second source"
    url: "https://example.org/two"
  - id: P7
    title: "A Pacific source"
    url: "https://example.org/p7"
"""

DEMO = """\
program: demo
name: Demo incentive
sponsor: Demo port
kind: incentive
sources: [S2, S1, P7]
editions:
  - edition: "1"
    effective: {from: 2020-01-01, until: 2024-01-01}
    applies: {ports: [USLGB]}
    benefits: [{id: flat, fixed: {amount: "100.00", currency: USD}}]
  - edition: "2"
    effective: {from: 2024-01-01}
    sources: [P7, S1]
    applies: {ports: [USLGB]}
    benefits: [{id: flat, fixed: {amount: "200.00", currency: USD}}]
"""

SHARED = Path(__file__).resolve().parents[3] / "shared"


def errors_of(**files):
    with pytest.raises(RulesetError) as exc:
        compile_texts(**files)
    return [str(e) for e in exc.value.errors if e.severity == "error"]


def call_on(day):
    return {"vessel": vessel(), "call": {"port": "USLGB", "arrival": day}}


def test_unknown_program_source_is_an_error_at_that_id():
    bad = DEMO.replace("sources: [S2, S1, P7]", "sources: [S2, S9, P7]")
    assert errors_of(sources=SOURCES, demo=bad) == [
        "demo.yaml:5:15: unknown source 'S9': it is not in sources.yaml [sources[1]]"]


def test_unknown_edition_source_is_an_error_at_that_id():
    bad = DEMO.replace("sources: [P7, S1]", "sources: [P7, S1,\n              P70]")
    assert errors_of(sources=SOURCES, demo=bad) == [
        "demo.yaml:14:15: unknown source 'P70': it is not in sources.yaml [editions[1].sources[2]]"]


def test_rules_built_without_a_source_list_cite_ids_without_titles():
    rs = compile_texts(demo=DEMO)
    assert rs.programs["demo"].cited[0] == {"id": "S2", "title": None, "url": None}


def test_a_directory_without_its_source_list_loads_with_a_warning(tmp_path):
    (tmp_path / "demo.yaml").write_text(DEMO)
    rs = load_ruleset(tmp_path)
    assert [str(w) for w in rs.warnings if w.file == "sources.yaml"] == [
        "sources.yaml:1:1: warning: no source list in this rules directory: citations are not checked "
        "and answers give no source titles or urls"]


URL_TWO = '    url: "https://example.org/two"\n'


@pytest.mark.parametrize("old, new, expected", [
    (URL_TWO, "", "sources.yaml:6:5: missing required key 'url' [sources[1]]"),
    (URL_TWO, URL_TWO + '    link: "https://example.org/2"\n', "sources.yaml:9:5: unknown key 'link' [sources[1].link]"),
    (URL_TWO, URL_TWO.replace("https://", ""), "sources.yaml:8:10: an http(s) address [sources[1].url]"),
    ("id: P7", "id: S1", "sources.yaml:9:9: duplicate source id 'S1' [sources[2].id]"),
])
def test_a_bad_source_list_entry_is_located(old, new, expected):
    assert errors_of(sources=SOURCES.replace(old, new, 1), demo=DEMO) == [expected]


def test_the_source_list_counts_in_the_revision():
    a = compile_texts(sources=SOURCES, demo=DEMO)
    b = compile_texts(sources=SOURCES.replace("Second source", "Second source, revised"), demo=DEMO)
    assert a.revision != b.revision and "sources.yaml" in a.files and "sources.yaml" not in a.programs


def test_a_decision_entry_carries_its_sources_last_in_citation_order():
    rs = compile_texts(sources=SOURCES, demo=DEMO)
    old = entry(decide_body(rs, call_on("2022-05-01")), "demo")
    new = entry(decide_body(rs, call_on("2025-05-01")), "demo")
    assert list(old)[-1] == "sources"
    assert old["sources"] == [{"id": "S2", "title": "Second source", "url": "https://example.org/two"},
                              {"id": "S1", "title": "First source", "url": "https://example.org/one"},
                              {"id": "P7", "title": "A Pacific source", "url": "https://example.org/p7"}]
    assert [s["id"] for s in new["sources"]] == ["P7", "S1"]
    assert new["notes"][-1] == "Sources: P7, S1 (see programs.md)."


def test_the_catalogue_gives_sources_as_objects():
    rs = compile_texts(sources=SOURCES, demo=DEMO)
    shown = describe_program(rs.programs["demo"])
    assert shown["sources"][1] == {"id": "S1", "title": "First source", "url": "https://example.org/one"}
    assert [s["id"] for s in shown["editions"][1]["sources"]] == ["P7", "S1"]


def test_every_shipped_citation_has_a_title_and_url(ruleset):
    for program in ruleset.programs.values():
        for cited in [program.cited] + [ed.cited for ed in program.editions]:
            assert cited and all(s["title"] and s["url"].startswith("http") for s in cited), program.id


@pytest.mark.skipif(not (SHARED / "programs.md").exists(), reason="the source documents are not here")
def test_the_shipped_list_has_every_source_of_both_documents():
    documented = set()
    for name in ("programs.md", "programs-pacific.md"):
        documented |= set(re.findall(r"^\| ([SP][0-9]+(?:-[a-z]+)?) \|", (SHARED / name).read_text(), re.M))
    listed = set(re.findall(r"^  - id: (\S+)$", (RULES / "sources.yaml").read_text(), re.M))
    assert listed == documented

