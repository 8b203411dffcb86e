"""Every kind of rule-file error is reported at once, each as file:line:col."""

import textwrap

import pytest

from incentive_api.core.errors import RulesetError
from incentive_api.core.ruleset import compile_ruleset

GOOD = """\
program: demo
name: Demo incentive
sponsor: Demo port
kind: incentive
sources: [S1]
editions:
  - edition: "2020"
    effective: {from: 2020-01-01}
    applies: {ports: [USLGB]}
    score: {path: vessel.esi.score}
    bands:
      - level: low
        min: 10
        below: 20
        benefits: [{id: low, fixed: {amount: "100.00", currency: USD}}]
      - level: high
        min: 20
        benefits: [{id: high, fixed: {amount: "200.00", currency: USD}}]
examples:
  - name: high
    request: {vessel: {imo: "9074729", type: container, gross_tonnage: 1000, esi: {score: 30}}, call: {port: USLGB, arrival: 2024-01-01}}
    expect: {status: eligible, level: high}
"""


def errors_of(*files):
    with pytest.raises(RulesetError) as exc:
        compile_ruleset([(name, textwrap.dedent(text)) for name, text in files])
    return [str(e) for e in exc.value.errors]


def test_good_file_compiles():
    rs = compile_ruleset([("demo.yaml", GOOD)])
    assert list(rs.programs) == ["demo"]


def test_yaml_syntax_error_is_located():
    bad = GOOD.replace("applies: {ports: [USLGB]}", "applies: {ports: [USLGB}")
    [err] = errors_of(("demo.yaml", bad))
    assert err.startswith("demo.yaml:9:") and "YAML syntax" in err


def test_unknown_key_points_at_the_key():
    bad = GOOD.replace("        below: 20\n", "        below: 20\n        bellow: 21\n")
    [err] = errors_of(("demo.yaml", bad))
    assert err == "demo.yaml:15:9: unknown key 'bellow' [editions[0].bands[0].bellow]"


def test_unknown_input_path_suggests_the_right_one():
    bad = GOOD.replace("score: {path: vessel.esi.score}", "conditions: {path: vessel.esi.scor, op: '>', value: 1}\n"
                       "    score: {path: vessel.esi.score}")
    [err] = errors_of(("demo.yaml", bad))
    assert err.startswith("demo.yaml:10:24: unknown input path 'vessel.esi.scor' (did you mean vessel.esi.score?)")


def test_type_mismatch_string_field_against_number():
    bad = GOOD.replace("score: {path: vessel.esi.score}", "conditions: {path: vessel.flag, op: '>', value: 3}\n"
                       "    score: {path: vessel.esi.score}")
    [err] = errors_of(("demo.yaml", bad))
    assert err.startswith("demo.yaml:10:41:") and "does not apply to vessel.flag" in err


def test_enum_typo_in_value_is_an_error():
    bad = GOOD.replace("applies: {ports: [USLGB]}", "applies: {ports: [USLGB], vessel_types: [contaner]}")
    [err] = errors_of(("demo.yaml", bad))
    assert err.startswith("demo.yaml:9:") and "contaner" in err


def test_overlapping_bands():
    bad = GOOD.replace("        min: 20\n", "        min: 19\n")
    [err] = errors_of(("demo.yaml", bad))
    assert err.startswith("demo.yaml:16:9: bands 'low' [10, 20) and 'high' [19, inf) overlap")


def test_touching_inclusive_edges_overlap():
    bad = GOOD.replace("        below: 20\n", "        max: 20\n")
    [err] = errors_of(("demo.yaml", bad))
    assert "overlap" in err and err.startswith("demo.yaml:16:9:")


def test_gapped_bands():
    bad = GOOD.replace("        min: 20\n", "        above: 20\n")
    [err] = errors_of(("demo.yaml", bad))
    assert err.startswith("demo.yaml:16:9: gap between bands 'low' [10, 20) and 'high' (20, inf)")


def test_two_editions_in_effect_on_one_date():
    second = """\
  - edition: "2023"
    effective: {from: 2023-01-01}
    applies: {ports: [USLGB]}
    benefits: [{id: flat, fixed: {amount: "1.00", currency: USD}}]
"""
    bad = GOOD.replace("examples:\n", second + "examples:\n")
    [err] = errors_of(("demo.yaml", bad))
    assert err.startswith("demo.yaml:20:16: editions '2020' and '2023' of demo are both in effect on 2023-01-01")


def test_duplicate_program_ids_across_files():
    [err] = errors_of(("a.yaml", GOOD), ("b.yaml", GOOD))
    assert err.startswith("b.yaml:1:10: duplicate program id 'demo'; also defined in a.yaml")


def test_every_error_is_reported_at_once_across_files():
    bad1 = GOOD.replace("        below: 20\n", "        bellow: 20\n")
    bad2 = GOOD.replace("program: demo", "program: other").replace("kind: incentive", "kind: incentiv")
    errs = errors_of(("a.yaml", bad1), ("b.yaml", bad2))
    assert any(e.startswith("a.yaml:14:9: unknown key 'bellow'") for e in errs)
    assert any(e.startswith("b.yaml:4:7:") and "incentiv" in e for e in errs)


def test_several_errors_in_one_file():
    bad = GOOD.replace("value: true", "").replace(
        "score: {path: vessel.esi.score}",
        "conditions: {all: [{path: vessel.nope, value: 1}, {path: vessel.type, value: tanker}]}\n"
        "    score: {path: vessel.esi.score}")
    errs = errors_of(("demo.yaml", bad))
    assert len(errs) == 2
    assert "vessel.nope" in errs[0] and "tanker" in errs[1]


def test_missing_required_key():
    bad = GOOD.replace("sponsor: Demo port\n", "")
    [err] = errors_of(("demo.yaml", bad))
    assert err == "demo.yaml:1:1: missing required key 'sponsor'"


def test_unknown_fee_name():
    bad = GOOD.replace('fixed: {amount: "200.00", currency: USD}', "percent_of_fee: {percent: 10, fee: dockge}")
    [err] = errors_of(("demo.yaml", bad))
    assert err.startswith("demo.yaml:18:") and "fee" in err


def test_invalid_example_request_names_the_field():
    bad = GOOD.replace('imo: "9074729"', 'imo: "9074728"')
    [err] = errors_of(("demo.yaml", bad))
    assert err.startswith("demo.yaml:21:29: example request: /vessel/imo: IMO check digit is wrong")


@pytest.mark.parametrize("text, message", [
    ("a: !!python/object/apply:os.system ['true']\n", "is not allowed"),
    ("a: &x [1, 2]\nb: *x\n", "anchors and aliases are not allowed"),
    ("a: " + "[" * 200 + "]" * 200 + "\n", "nesting deeper"),
    ("a: 1\na: 2\n", "duplicate key 'a'"),
    ("a: .nan\n", "not allowed"),
])
def test_hostile_yaml_is_refused(text, message):
    [err] = errors_of(("evil.yaml", text))
    assert err.startswith("evil.yaml:") and message in err


def test_alias_bomb_is_refused_quickly():
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i-1}"] * 9) + "]" for i in range(1, 10)]
    [err] = errors_of(("bomb.yaml", "\n".join(lines) + "\n"))
    assert err.startswith("bomb.yaml:1:5: anchors and aliases are not allowed")


def test_huge_file_is_refused():
    [err] = errors_of(("huge.yaml", "# " + "x" * 1_100_000 + "\n"))
    assert err.startswith("huge.yaml:1:1: file is larger than")


def test_condition_that_can_never_be_true_is_an_error():
    bad = GOOD.replace("score: {path: vessel.esi.score}", "conditions: {path: vessel.gross_tonnage, op: '<', value: 0}\n"
                       "    score: {path: vessel.esi.score}")
    [err] = errors_of(("demo.yaml", bad))
    assert err.startswith("demo.yaml:10:62: this condition can never be true: vessel.gross_tonnage is always within")


def test_shadowed_level_is_a_warning():
    text = GOOD.replace("""    score: {path: vessel.esi.score}
    bands:
      - level: low
        min: 10
        below: 20
        benefits: [{id: low, fixed: {amount: "100.00", currency: USD}}]
      - level: high
        min: 20
        benefits: [{id: high, fixed: {amount: "200.00", currency: USD}}]
""", """    levels:
      - level: a
        when: {path: vessel.green_award, op: "=", value: true}
        benefits: [{id: a, fixed: {amount: "1.00", currency: USD}}]
      - level: b
        when: {path: vessel.green_award, op: "=", value: true}
        benefits: [{id: b, fixed: {amount: "2.00", currency: USD}}]
""").replace("expect: {status: eligible, level: high}", "expect: {status: ineligible}")
    rs = compile_ruleset([("demo.yaml", text)])
    [warning] = [str(w) for w in rs.warnings]
    assert warning.startswith("demo.yaml:15:15: warning: level 'b' can never be reached")


def test_an_add_on_shut_out_by_the_edition_is_a_warning():
    text = GOOD.replace("    applies: {ports: [USLGB]}", "    applies: {ports: [USLGB], vessel_types: [container]}").replace(
        "examples:", """    addons:
      - id: cruise-bonus
        when: {path: vessel.type, op: "=", value: cruise}
        benefits: [{id: cruise-bonus, fixed: {amount: "1.00", currency: USD}}]
examples:""")
    rs = compile_ruleset([("demo.yaml", text)])
    [warning] = [str(w) for w in rs.warnings]
    assert warning.startswith("demo.yaml:21:15: warning: add-on 'cruise-bonus' can never apply: it needs "
                              "vessel.type in ['cruise'], but the edition only admits ['container']")
