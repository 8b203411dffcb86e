/* Decide: a form over the common fields and a JSON tab for the whole body of POST /v1/eligibility.
   The JSON is the request; the form edits its fields in place, so fields it does not show are kept. */
"use strict";

(function () {
  const SAMPLE = {
    vessel: {
      imo: "IMO 9619907", name: "CMA CGM JACQUES SAADE", type: "container", gross_tonnage: 236583, flag: "FR",
      engines: [{role: "main", imo_nox_tier: 3}, {role: "auxiliary", count: 4, imo_nox_tier: 2}],
      fuels: ["lng", "mgo"], shore_power: {fitted: true, commissioned: true},
      esi: {score: 56, nox_valid: true, sox_valid: true, valid_until: "2026-12-31"},
    },
    call: {
      port: "USLGB", terminal: "Pier T", arrival: "2026-03-02", departure: "2026-03-05",
      operator_vsr_compliance: {year: 2025, zone_20nm_pct: 97, zone_40nm_pct: 85},
      fees: {dockage: {amount: "31250.00", currency: "USD"}},
    },
    advice: true,
  };
  const textarea = document.getElementById("body-json");
  const fields = Array.from(document.querySelectorAll("[data-path]"));
  const tabs = {form: document.getElementById("tab-form"), json: document.getElementById("tab-json")};
  const panels = {form: document.getElementById("panel-form"), json: document.getElementById("panel-json")};
  const problem = document.getElementById("problem");
  const result = document.getElementById("decision");
  const submit = document.getElementById("decide-submit");
  let active = "form";

  function read(body, path) {
    return path.split(".").reduce((node, part) => (node && typeof node === "object" ? node[part] : undefined), body);
  }

  function write(body, path, value) {
    const parts = path.split(".");
    const last = parts.pop();
    let node = body;
    for (const part of parts) {
      if (typeof node[part] !== "object" || node[part] === null) {
        if (value === undefined) return;
        node[part] = {};
      }
      node = node[part];
    }
    if (value === undefined) delete node[last];
    else node[last] = value;
  }

  function fieldValue(input) {
    if (input.dataset.kind === "bool") return input.checked ? true : undefined;
    const text = input.value.trim();
    if (text === "") return undefined;
    if (input.dataset.kind === "number") return Number(text);
    return text;
  }

  function toForm(body) {
    for (const input of fields) {
      const value = read(body, input.dataset.path);
      if (input.dataset.kind === "bool") input.checked = value === true;
      else input.value = value === undefined || value === null ? "" : String(value);
    }
  }

  function fromForm(body) {
    for (const input of fields) write(body, input.dataset.path, fieldValue(input));
    return body;
  }

  /* The body the active tab describes; null (with the reason shown) when the JSON does not parse. */
  function currentBody() {
    let body;
    try {
      body = JSON.parse(textarea.value);
    } catch (error) {
      Console.showProblem(problem, {status: 0, data: {title: "The JSON tab does not parse", detail: error.message}});
      return null;
    }
    return active === "form" ? fromForm(body) : body;
  }

  function select(name) {
    if (name === active) return;
    const body = currentBody();
    if (body === null) return;
    textarea.value = JSON.stringify(body, null, 2);
    if (name === "form") toForm(body);
    active = name;
    for (const [tab, button] of Object.entries(tabs)) {
      const on = tab === name;
      button.setAttribute("aria-selected", on ? "true" : "false");
      button.tabIndex = on ? 0 : -1;
      panels[tab].hidden = !on;
    }
  }

  for (const [name, button] of Object.entries(tabs)) {
    button.addEventListener("click", () => select(name));
    button.addEventListener("keydown", event => {
      if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
        const next = name === "form" ? "json" : "form";
        select(next);
        tabs[next].focus();
      }
    });
  }

  document.getElementById("decide-form").addEventListener("submit", async event => {
    event.preventDefault();
    Console.clear(problem);
    const body = currentBody();
    if (body === null) return;
    textarea.value = JSON.stringify(body, null, 2);
    const answer = await Console.pressed(submit, "POST", "/v1/eligibility", body);
    if (!answer.ok) {
      Console.clear(result);
      return Console.showProblem(problem, answer);
    }
    Cards.render(result, answer.data);
  });

  textarea.value = JSON.stringify(SAMPLE, null, 2);
  toForm(SAMPLE);
})();
