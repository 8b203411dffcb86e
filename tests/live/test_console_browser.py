"""The console in a real browser: Debian's headless Chromium driven by selenium, against a live gunicorn.

One browser and one server for the module. The server reads a copy of the rules in which a note holds
markup, so the programs page shows whether rule text is escaped. Each page leaves a screenshot in
test-artifacts/screenshots/, and no page may log an error to the browser's console.
"""

from __future__ import annotations

import base64
import json
import shutil
import tempfile
from pathlib import Path

import pytest

from support.helpers import CLIENT_KEY, OPERATOR_KEY, ROOT, RULES
from support.servers import Server

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as ready  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
WAIT_SECONDS = 20
MARKUP_NOTE = "<script>window.__injected = 1</script><img src=x onerror=window.__injected=2> is only text"
PLAN_CSV = ("port,arrival,departure,fees\n"
            "USLGB,2026-03-02,2026-03-04,dockage=18500.00 USD\n"
            "SGSIN,2026-03-16,2026-03-17,port_dues=10000.00 SGD\n"
            "USLGB,2026-04-13,2026-04-15,\n")

if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
    pytest.skip("Debian's chromium and chromium-driver are not installed (make test-deps installs them)",
                allow_module_level=True)


@pytest.fixture(scope="module")
def workdir():
    path = Path(tempfile.mkdtemp(prefix="console-browser-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def rules_dir(workdir):
    rules = workdir / "rules"
    shutil.copytree(RULES, rules)
    ship = rules / "polb-green-ship.yaml"
    last_note = '      - "Registration with the port, tax documents and the invoice [S14] are not checked here."\n'
    text = ship.read_text()
    assert last_note in text
    ship.write_text(text.replace(last_note, last_note + f"      - '{MARKUP_NOTE}'\n"))
    return rules


@pytest.fixture(scope="module")
def server(rules_dir):
    with Server({"RULES_DIR": str(rules_dir), "RATE_LIMIT": "off"}, workers=1) as running:
        yield running


@pytest.fixture(scope="module")
def browser(workdir):
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1400,1000", f"--user-data-dir={workdir / 'profile'}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = webdriver.ChromeService(executable_path=str(CHROMEDRIVER), log_output=str(workdir / "chromedriver.log"))
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(WAIT_SECONDS)
    driver.set_script_timeout(WAIT_SECONDS)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


def wait(driver, condition, what: str):
    try:
        return WebDriverWait(driver, WAIT_SECONDS, ignored_exceptions=(StaleElementReferenceException,)).until(condition)
    except TimeoutException:
        problem = driver.find_elements(By.CSS_SELECTOR, "#problem, #dry-problem")
        shown = " | ".join(p.text for p in problem if p.text)
        raise AssertionError(f"not within {WAIT_SECONDS} s: {what} (page shows: {shown or 'no problem'})") from None


def text_in(css: str, *texts: str):
    def check(driver):
        found = driver.find_elements(By.CSS_SELECTOR, css)
        return found[0] if found and all(t in found[0].text for t in texts) else False
    return check


def no_console_errors(driver, page: str):
    errors = [entry for entry in driver.get_log("browser") if entry["level"] in ("SEVERE", "ERROR")]
    assert not errors, f"the {page} page logged errors: {errors}"


def finish(driver, page: str):
    """The whole page (up to a long scroll) as test-artifacts/screenshots/<page>.png; then no console errors."""
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    clip = {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 6000), "scale": 1}
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip})
    (SCREENSHOTS / f"{page}.png").write_bytes(base64.b64decode(shot["data"]))
    no_console_errors(driver, page)


def use_key(driver, key: str):
    driver.find_element(By.ID, "key-forget").click()
    field = driver.find_element(By.ID, "api-key")
    field.send_keys(key)
    driver.find_element(By.ID, "key-save").click()
    assert field.get_attribute("value") == ""  # typed once, then only in sessionStorage
    assert driver.execute_script("return sessionStorage.getItem('incentive-api-key')") == key
    assert key not in driver.current_url and not driver.get_cookies()


def test_programs_show_rule_text_as_text(server, browser):
    browser.get(server.url + "/console/")
    wait(browser, ready.url_contains("/console/programs"), "the console opens on the programs page")
    use_key(browser, CLIENT_KEY)  # shows today's programs at USLGB
    browser.execute_script("arguments[0].value = '2026-03-02'", browser.find_element(By.ID, "as-of"))
    browser.find_element(By.CSS_SELECTOR, "#programs-form button[type=submit]").click()
    wait(browser, text_in("#programs-summary", "on 2026-03-02"), "the programs of 2 March 2026")
    card = wait(browser, text_in('[data-program="polb-green-ship"]', "Green Ship Incentive Program", "2021-esi"),
                "the Green Ship card")
    assert MARKUP_NOTE in card.text
    assert browser.execute_script("return window.__injected") is None
    assert not card.find_elements(By.CSS_SELECTOR, "script, img")
    links = card.find_elements(By.CSS_SELECTOR, ".sources a")
    assert links and all(a.get_attribute("href").startswith("http") for a in links)
    finish(browser, "programs")


def test_decide_the_sample_and_open_its_record(server, browser):
    browser.get(server.url + "/console/decide")
    browser.find_element(By.ID, "decide-submit").click()
    card = wait(browser, text_in('[data-program="polb-green-ship"]', "9,000.00 USD"), "the Premier card")
    assert "premier" in card.text.lower() and card.get_attribute("data-status") == "eligible"
    assert wait(browser, text_in('[data-program="polb-green-flag"]', "Advice", "adds 3,125.00 USD"), "advice on the Green Flag card")
    finish(browser, "decide")

    browser.find_element(By.ID, "tab-json").click()
    body = json.loads(browser.find_element(By.ID, "body-json").get_attribute("value"))
    assert body["call"]["port"] == "USLGB" and body["advice"] is True

    link = browser.find_element(By.ID, "decision-link")
    decision_id = link.text
    link.click()
    wait(browser, text_in("#decision", decision_id, "9,000.00 USD"), "the record of the decision")
    assert "sig=" in browser.find_element(By.ID, "receipt-value").text
    finish(browser, "record")


def test_a_plan_from_a_csv_file(server, browser, workdir):
    calls = json.loads(server.request("POST", "/console/schedule", PLAN_CSV.encode(),
                                      {"Content-Type": "text/csv"})[2])["calls"]
    vessel = {"imo": "IMO 9619907", "type": "container", "gross_tonnage": 194849, "fuels": ["lng"], "scrubber": "none",
              "engines": [{"role": "main", "imo_nox_tier": 3}],
              "esi": {"score": 51.2, "nox_valid": True, "sox_valid": True, "valid_until": "2027-12-31"}}
    status, _headers, raw = server.request("POST", "/v1/plans", json.dumps(
        {"vessel": vessel, "calls": calls, "advice": True}).encode(),
        {"Content-Type": "application/json", "X-API-Key": CLIENT_KEY}, timeout=20)
    assert status == 200, raw
    expected = [f"{float(m['amount']):,.2f} {m['currency']}" for m in json.loads(raw)["totals"]["by_currency"]]
    assert expected

    schedule = workdir / "schedule.csv"
    schedule.write_text(PLAN_CSV)
    browser.get(server.url + "/console/plan")
    browser.find_element(By.ID, "plan-file").send_keys(str(schedule))
    wait(browser, lambda d: d.find_element(By.ID, "plan-schedule").get_attribute("value").strip() == PLAN_CSV.strip(),
         "the uploaded CSV in the schedule box")
    browser.find_element(By.ID, "plan-submit").click()
    wait(browser, text_in("#plan-totals", *expected), f"the plan's totals {expected}")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#plan-calls tbody tr")) == 3
    assert wait(browser, lambda d: d.execute_script(
        "const i = document.getElementById('plan-chart'); return i.complete && i.naturalWidth > 0"), "the chart")
    assert browser.find_elements(By.CSS_SELECTOR, "#plan-advice-list li")
    finish(browser, "plan")


def test_operator_dry_runs_a_raised_amount(server, browser, rules_dir, workdir):
    candidate = workdir / "candidate" / "polb-green-ship.yaml"
    candidate.parent.mkdir()
    text = (rules_dir / "polb-green-ship.yaml").read_text()
    raised = 'id: esi-intermediate\n            fixed: {amount: "3500.00", currency: USD}'
    candidate.write_text(text.replace('id: esi-intermediate\n            fixed: {amount: "3000.00", currency: USD}', raised))
    assert raised in candidate.read_text()

    browser.get(server.url + "/console/operator")
    use_key(browser, OPERATOR_KEY)
    revision = wait(browser, text_in("#ruleset", "Revision"), "the active ruleset").text
    assert server.ready["revision"] in revision
    assert "polb-green-ship.yaml" in browser.find_element(By.ID, "ruleset-files").get_attribute("textContent")
    browser.find_element(By.ID, "candidate-files").send_keys(str(candidate))
    browser.find_element(By.ID, "dry-run-submit").click()
    wait(browser, text_in("#dry-run-summary", "calls change"), "the dry-run report")
    rows = browser.find_elements(By.CSS_SELECTOR, "#dry-run-changes tbody tr")
    assert rows and all("polb-green-ship" in r.text for r in rows)
    assert any("3,500.00" in r.text and "intermediate" in r.text for r in rows)
    assert "exactly 48 is Intermediate" in browser.find_element(By.ID, "dry-run-result").text  # its example fails
    browser.find_element(By.ID, "reload").click()
    wait(browser, text_in("#reload-result", "revision"), "the reload's answer")
    finish(browser, "operator")


def test_docs_try_it(server, browser):
    browser.get(server.url + "/console/docs")
    use_key(browser, CLIENT_KEY)
    operation = wait(browser, ready.element_to_be_clickable((By.CSS_SELECTOR, "#operations-catalogue-getRuleset .opblock-summary")),
                     "the getRuleset operation")
    operation.click()
    wait(browser, ready.element_to_be_clickable((By.CSS_SELECTOR, "#operations-catalogue-getRuleset .try-out__btn")),
         "Try it out").click()
    wait(browser, ready.element_to_be_clickable((By.CSS_SELECTOR, "#operations-catalogue-getRuleset .execute")),
         "Execute").click()
    wait(browser, text_in("#operations-catalogue-getRuleset .live-responses-table td.response-col_status:not(.col_header)", "200"),
         "a 200 from the try-it call")
    # The key went as a header, and is not printed on the page (the curl line shows the request as typed).
    assert CLIENT_KEY not in browser.find_element(By.ID, "swagger-ui").get_attribute("textContent")
    finish(browser, "docs")


def script_errors(driver) -> list:
    """Errors thrown by the page's own scripts (a refused fetch is logged too, but is no script fault)."""
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE" and e.get("source") != "network"]


def test_links_from_rule_files_stay_web_links_or_own_paths(server, browser):
    browser.get(server.url + "/console/programs")
    assert browser.execute_script(
        "return ['/v1/ruleset', 'https://www.polb.com/x', 'javascript:alert(1)', ' javascript:alert(1)',"
        " '//evil.example/', '/\\\\evil.example/', 'data:text/html,x'].map(u => Console.safeUrl(u))"
    ) == ["/v1/ruleset", "https://www.polb.com/x", None, None, None, None, None]


def test_an_empty_json_answer_is_a_result_not_a_thrown_promise(server, browser):
    browser.get(server.url + "/console/programs")
    # HEAD answers with the JSON type and no body, as a proxy's error page might.
    answer = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "Console.api('HEAD', '/v1/ruleset').then(a => done([a.status, typeof a.data]), e => done(String(e)));")
    assert answer[1] == "object" and answer[0] in (200, 401), answer


def test_a_record_link_with_a_broken_hash_still_opens_the_page(server, browser):
    browser.get(server.url + "/console/record#%E0%A4%A")
    wait(browser, lambda d: d.find_element(By.ID, "problem").text, "the problem for an id that is no id")
    assert browser.find_element(By.ID, "record-id").get_attribute("value") == "%E0%A4%A"
    assert not script_errors(browser)


def test_a_json_schedule_without_calls_is_named(server, browser):
    browser.get(server.url + "/console/plan")
    schedule = browser.find_element(By.ID, "plan-schedule")
    schedule.clear()
    schedule.send_keys('{"legs": []}')
    browser.find_element(By.ID, "plan-submit").click()
    wait(browser, text_in("#problem", "calls"), "the problem naming the missing calls")
    assert not script_errors(browser)
