"""The console: pages served without a key under a strict Content-Security-Policy, only external scripts and
styles, text from requests escaped, and the two conversions of the plan page (CSV to calls, totals to a chart)."""

import dataclasses
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from incentive_api.config import Settings
from incentive_api.http.app import create_app
from incentive_api.http.console import create_console, pages
from incentive_api.http.console.chart import ChartError, plan_chart
from incentive_api.http.console.schedule import ScheduleError, parse_schedule
from incentive_api.service.container import build_services

PAGES = ("programs", "decide", "plan", "operator", "docs", "record")


@pytest.fixture(scope="module")
def console_services(tmp_path_factory):
    settings = dataclasses.replace(Settings(), run_dir=tmp_path_factory.mktemp("run"), cache_enabled=False,
                                   records_enabled=False, console_rate_limit="off")
    return build_services(settings)


@pytest.fixture(scope="module")
def console(console_services):
    return create_console(console_services).test_client()


@pytest.mark.parametrize("page", PAGES)
def test_each_page_has_a_csp_without_unsafe_inline_and_no_inline_script_or_style(console, page):
    answer = console.get(f"/{page}")
    assert answer.status_code == 200 and answer.mimetype == "text/html"
    csp = answer.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "style-src 'self'" in csp
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    html = answer.get_data(as_text=True)
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []  # every script is a file
    assert "<style" not in html and " style=" not in html and re.search(r"\son[a-z]+=", html) is None
    # Every form control has a label naming it.
    for control in re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html):
        assert f'for="{control}"' in html or re.search(rf'<label[^>]*>\s*<input[^>]*id="{control}"', html), control


def test_the_pages_load_nothing_from_another_site(console):
    for page in PAGES:
        html = console.get(f"/{page}").get_data(as_text=True)
        assert re.findall(r'(?:src|href)="(?:https?:)?//', html) == [], page


def test_static_files_and_swagger_assets_are_served_and_nothing_else(console):
    assert console.get("/static/console.js").mimetype == "text/javascript"
    assert console.get("/docs/assets/swagger-ui-bundle.js").status_code == 200
    assert console.get("/docs/assets/swagger-ui.css").mimetype == "text/css"
    for path in ("/docs/assets/index.html", "/docs/assets/../pages.py", "/nope", "/static/../pages.py"):
        assert console.get(path).status_code == 404, path


def test_scripts_never_write_html():
    for script in Path(pages.bp.static_folder).glob("*.js"):
        text = script.read_text()
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
            assert sink not in text, f"{script.name} uses {sink}"


def test_the_console_is_served_without_a_key_beside_an_api_that_still_needs_one(tmp_path):
    settings = dataclasses.replace(Settings(), run_dir=tmp_path, cache_enabled=False, records_enabled=False)
    client = create_app(settings).test_client()
    assert client.get("/console/").headers["Location"].endswith("/console/programs")
    assert client.get("/console/decide").status_code == 200
    assert client.get("/v1/ruleset").status_code == 401
    assert "Content-Security-Policy" not in client.get("/healthz").headers


def test_csv_schedule_becomes_plan_calls(console):
    text = ("\ufeffPort, Arrival ,departure,fees\n"
            'uslgb,2026-03-02,2026-03-04,"dockage=31250.00 usd; port_dues=10 SGD"\n'
            "\n"
            "SGSIN,2026-03-16,,\n")
    assert parse_schedule(text) == [
        {"port": "USLGB", "arrival": "2026-03-02", "departure": "2026-03-04",
         "fees": {"dockage": {"amount": "31250.00", "currency": "USD"},
                  "port_dues": {"amount": "10", "currency": "SGD"}}},
        {"port": "SGSIN", "arrival": "2026-03-16"}]
    answer = console.post("/schedule", data=text, content_type="text/csv")
    assert answer.status_code == 200 and answer.get_json()["calls"][1] == {"port": "SGSIN", "arrival": "2026-03-16"}


@pytest.mark.parametrize("text, pointer, words", [
    ("", "", "empty"),
    ("port,arrival,berth\nUSLGB,2026-03-02,T\n", "", "columns are"),
    ("port,arrival\n", "/calls", "no calls"),
    ("port,arrival\nUSLGB\n", "/calls/0", "line 2: 1 cells for 2 columns"),
    ("port,arrival,fees\nUSLGB,2026-03-02,dockage 5 USD\n", "/calls/0/fees", "not 'name=amount CURRENCY'"),
    ("port,arrival,fees\nUSLGB,2026-03-02,a=1 USD;a=2 USD\n", "/calls/0/fees/a", "twice"),
    ("port,arrival\n" + "USLGB,2026-03-02\n" * 501, "/calls", "at most 500"),
])
def test_a_bad_csv_is_refused_at_its_place(console, text, pointer, words):
    with pytest.raises(ScheduleError) as refused:
        parse_schedule(text)
    assert any(e["pointer"] == pointer and words in e["message"] for e in refused.value.errors), refused.value.errors
    answer = console.post("/schedule", data=text, content_type="text/csv")
    assert answer.status_code == 422 and answer.mimetype == "application/problem+json"
    assert answer.get_json()["errors"] == refused.value.errors


def test_the_chart_escapes_its_labels_and_scales_within_a_currency(console):
    totals = {"by_port": [{"port": "<script>alert(1)</script>", "calls": 1,
                           "totals": [{"amount": "9000.00", "currency": "USD"}]},
                          {"port": "SGSIN", "calls": 1, "totals": [{"amount": "10.00", "currency": "SGD"}]}],
              "by_program": [{"program": "polb-green-ship", "calls": 2,
                              "totals": [{"amount": "4500.00", "currency": "USD"}]}]}
    answer = console.post("/plan-chart.svg", json=totals)
    assert answer.status_code == 200 and answer.mimetype == "image/svg+xml"
    svg = answer.get_data(as_text=True)
    assert "<script" not in svg and "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    tree = ET.fromstring(svg)  # well-formed
    widths = [int(r.get("width")) for r in tree.iter("{http://www.w3.org/2000/svg}rect") if r.get("y")]
    assert widths == [380, 380, 190]  # SGD's only bar is full width: currencies are not compared
    assert "9,000.00 USD" in svg and "10.00 SGD" in svg


@pytest.mark.parametrize("totals", [None, [], {"by_port": "x"}, {"by_port": [{"port": "X"}]},
                                    {"by_port": [{"port": "X", "totals": [{"amount": "abc", "currency": "USD"}]}]},
                                    {"by_port": [{"port": "X", "totals": [{"amount": "-1", "currency": "USD"}]}]},
                                    {"by_port": [{"port": "X", "totals": [{"amount": "NaN", "currency": "USD"}]}]},
                                    {"by_port": [{"port": "X", "totals": [{"amount": [1, 2, 3], "currency": "USD"}]}]},
                                    {"by_port": [{"port": "X", "totals": [{"amount": True, "currency": "USD"}]}]},
                                    {"by_port": [{"port": "X", "totals": [{"amount": 5, "currency": "USD"}]}]},
                                    {"by_port": [{"port": "X", "totals": [{"amount": "1", "currency": "usd"}]}]},
                                    {"by_port": [{"port": "X", "totals": ["1 USD"]}]}])
def test_a_bad_chart_request_is_a_problem(console, totals):
    with pytest.raises(ChartError):
        plan_chart(totals)
    answer = console.post("/plan-chart.svg", json=totals)
    assert answer.status_code == 422 and answer.mimetype == "application/problem+json"


def test_bodies_are_bounded(console):
    assert console.post("/schedule", data="x" * (300 * 1024), content_type="text/csv").status_code == 413


@pytest.mark.parametrize("text, line", [
    ("port,arrival\rUSLGB,2026-03-02\rSGSIN,2026-03-16\r", None),  # classic Mac line ends: read as lines
    ("\n\nport,arrival\nUSLGB,2026-03-02\n", None),  # blank lines before the header are skipped too
    ("port,arrival\nUSLGB,2026-03-02\n" + "A" * 140_000 + ",2026-03-03\n", 3),
])
def test_line_ends_and_oversized_cells_are_read_or_refused_by_line(console, text, line):
    answer = console.post("/schedule", data=text, content_type="text/csv")
    if line is None:
        assert answer.status_code == 200 and answer.get_json()["calls"][0] == {"port": "USLGB", "arrival": "2026-03-02"}
    else:
        assert answer.status_code == 422 and answer.mimetype == "application/problem+json"
        assert any(e["message"].startswith(f"line {line}:") for e in answer.get_json()["errors"])


def test_the_header_error_names_the_header_line(console):
    answer = console.post("/schedule", data="\nport,berth\nUSLGB,T\n", content_type="text/csv")
    assert answer.status_code == 422 and answer.get_json()["errors"][0]["message"].startswith("line 2:")


@pytest.mark.parametrize("method, path, body, status", [
    ("GET", "/nope", None, 404), ("POST", "/decide", None, 405), ("POST", "/schedule", "x" * (300 * 1024), 413)])
def test_the_consoles_own_refusals_are_problems(console, method, path, body, status):
    answer = console.open(path, method=method, data=body, content_type="text/csv")
    assert answer.status_code == status and answer.mimetype == "application/problem+json"
    assert answer.get_json()["status"] == status and "Content-Security-Policy" in answer.headers


def test_the_key_field_is_never_submitted_with_a_form(console):
    # Enter pressed before the scripts run submits the form natively: a named field would put the key in the URL.
    html = console.get("/programs").get_data(as_text=True)
    field = re.search(r'<input[^>]*\bid="api-key"[^>]*>', html).group(0)
    assert " name=" not in field


def test_a_chart_body_nested_past_what_is_read_is_a_problem_not_a_500(console):
    deep = b'{"by_port": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    answer = console.post("/plan-chart.svg", data=deep, content_type="application/json")
    assert answer.status_code == 422 and answer.mimetype == "application/problem+json"


def test_control_characters_in_a_label_leave_the_chart_well_formed(console):
    totals = {"by_port": [{"port": "US\x01L\x1fGB\ufffe", "totals": [{"amount": "1.00", "currency": "USD"}]}]}
    answer = console.post("/plan-chart.svg", json=totals)
    assert answer.status_code == 200
    ET.fromstring(answer.get_data(as_text=True))  # well-formed
    assert "US\ufffdL\ufffdGB\ufffd" in answer.get_data(as_text=True)


def test_a_schedule_of_bad_rows_lists_the_first_errors_and_counts_them_all(console):
    rows = "".join(f"USLGB,2026-03-02,,{';'.join(['bad'] * 20)}\n" for _ in range(400))
    answer = console.post("/schedule", data="port,arrival,departure,fees\n" + rows, content_type="text/csv")
    problem = answer.get_json()
    assert answer.status_code == 422 and len(problem["errors"]) == 100
    assert "(8000 in all; the first 100 listed)" in problem["detail"]
    assert len(answer.data) < 30_000


def test_console_answers_carry_a_request_id_and_are_counted_and_logged(tmp_path, caplog):
    import logging

    from incentive_api.adapters import metrics
    settings = dataclasses.replace(Settings(), run_dir=tmp_path, cache_enabled=False, records_enabled=False)
    client = create_app(settings).test_client()
    with caplog.at_level(logging.INFO, logger="incentive_api.requests"):
        sent = client.post("/console/schedule", data="port,arrival\nUSLGB,2026-03-02\n", content_type="text/csv",
                           headers={"X-Request-ID": "console-1"})
        made = client.get("/console/programs")
    assert sent.headers["X-Request-ID"] == "console-1" and len(made.headers["X-Request-ID"]) == 32
    lines = [r for r in caplog.records if r.getMessage() == "request" or getattr(r, "route", None)]
    routes = {getattr(r, "route", None) for r in lines}
    assert {"/console/schedule", "/console/<any(programs, decide, plan, operator, docs, record):name>"} <= routes
    exposed = metrics.exposition()[0].decode()
    assert 'route="/console/schedule"' in exposed


def test_the_console_helpers_are_budgeted_per_address(tmp_path):
    settings = dataclasses.replace(Settings(), run_dir=tmp_path, cache_enabled=False, records_enabled=False,
                                   console_rate_limit="3/minute")
    client = create_app(settings).test_client()
    sent = [client.post("/console/schedule", data="port,arrival\nUSLGB,2026-03-02\n", content_type="text/csv")
            for _ in range(5)]
    assert [r.status_code for r in sent] == [200, 200, 200, 429, 429]
    assert int(sent[3].headers["Retry-After"]) >= 1 and sent[3].mimetype == "application/problem+json"
    assert client.get("/console/programs").status_code == 200  # the pages themselves are not budgeted
    other = client.post("/console/schedule", data="port,arrival\nUSLGB,2026-03-02\n", content_type="text/csv",
                        environ_overrides={"REMOTE_ADDR": "127.0.0.9"})
    assert other.status_code == 200


def test_the_helpers_advertise_only_the_methods_they_take(console):
    for method in ("OPTIONS", "GET"):
        answer = console.open("/schedule", method=method)
        assert answer.status_code == 405 and answer.headers["Allow"] == "POST"
    assert console.get("/no-such-page").status_code == 404
