/* Operator: GET /v1/ruleset, POST /v1/admin/rules/dry-run with uploaded candidate files, and reload. */
"use strict";

(function () {
  const {el} = Console;
  const problem = document.getElementById("problem");
  const dryProblem = document.getElementById("dry-problem");
  const dryResult = document.getElementById("dry-run-result");
  const MAX_ROWS = 200;

  function pairs(target, entries) {
    Console.clear(target).append(...entries.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, Console.plain(v))]));
  }

  function failedLoad(failed) {
    const box = Console.clear(document.getElementById("failed-load"));
    if (!failed) return box.append(el("p", {}, "No failed load since this process started."));
    box.append(el("h3", {}, `Last failed load${failed.at ? " at " + failed.at : ""}`),
      el("ul", {class: "errors"}, (failed.errors || []).map(e => el("li", {}, el("code", {}, Console.plain(e))))));
  }

  async function loadRuleset() {
    const answer = await Console.api("GET", "/v1/ruleset");
    Console.clear(problem);
    if (!answer.ok) return Console.showProblem(problem, answer);
    const r = answer.data;
    pairs(document.getElementById("ruleset"), [["Revision", r.revision], ["Loaded at", r.loaded_at],
      ["Programs", r.program_count], ["Editions", r.edition_count]]);
    Console.clear(document.getElementById("ruleset-files")).append(...r.files.map(f => el("li", {}, el("code", {}, f))));
    failedLoad(r.last_failed_load);
  }

  function outcome(o) {
    if (!o) return "not in effect";
    const money = o.amount !== null ? `, ${Console.money(o)}` : "";
    return `${o.status}${o.level ? " · " + o.level : ""}${money}`;
  }

  function report(r) {
    const header = (...names) => el("thead", {}, el("tr", {}, names.map(n => el("th", {scope: "col"}, n))));
    const money = [];
    for (const [program, p] of Object.entries(r.programs)) {
      for (const [currency, m] of Object.entries(p.money)) money.push([program, p, currency, m]);
      if (!Object.keys(p.money).length) money.push([program, p, "", null]);
    }
    Console.clear(dryResult).append(
      el("p", {id: "dry-run-summary"}, `${r.changed_decisions} of ${r.requests} calls change (${r.invalid_requests} invalid) ` +
        `from revision ${r.old_revision} to ${r.new_revision}.`),
      r.failing_examples.length
        ? el("div", {class: "problem"}, el("strong", {}, "Failing examples: a reload would be refused"),
          el("ul", {}, r.failing_examples.map(e => el("li", {}, el("code", {}, e)))))
        : el("p", {}, "Every example of the candidate files passes."),
      el("h3", {}, "Money before and after"),
      el("table", {id: "dry-run-money"}, header("program", "calls", "changed", "currency", "before", "after", "change"),
        el("tbody", {}, money.map(([program, p, currency, m]) => el("tr", {},
          el("td", {}, program), el("td", {}, String(p.calls)), el("td", {}, String(p.changed)), el("td", {}, currency),
          el("td", {}, m ? Console.grouped(m.before) : ""), el("td", {}, m ? Console.grouped(m.after) : ""),
          el("td", {}, m ? Console.grouped(m.delta) : ""))))),
      el("h3", {}, `Changed calls${r.changes.length > MAX_ROWS ? ` (first ${MAX_ROWS} of ${r.changes.length})` : ""}`),
      el("table", {id: "dry-run-changes"}, header("call", "IMO", "port", "as of", "program", "before", "after"),
        el("tbody", {}, r.changes.slice(0, MAX_ROWS).map(c => el("tr", {},
          el("td", {}, String(c.request)), el("td", {}, c.imo), el("td", {}, c.port), el("td", {}, c.as_of),
          el("td", {}, c.program), el("td", {}, outcome(c.before)), el("td", {}, outcome(c.after)))))));
  }

  document.getElementById("dry-run-form").addEventListener("submit", async event => {
    event.preventDefault();
    Console.clear(dryProblem);
    const chosen = Array.from(document.getElementById("candidate-files").files);
    if (!chosen.length) {
      return Console.showProblem(dryProblem, {status: 0, data: {title: "Choose one or more rule files first"}});
    }
    const body = {files: {}};
    for (const file of chosen) body.files[file.name] = await file.text();
    const requests = document.getElementById("dry-requests").value.trim();
    if (requests) {
      try {
        body.requests = JSON.parse(requests);
      } catch (error) {
        return Console.showProblem(dryProblem, {status: 0, data: {title: "The requests' JSON does not parse", detail: error.message}});
      }
    } else {
      body.sample = Number(document.getElementById("dry-sample").value) || 600;
    }
    const today = document.getElementById("dry-today").value;
    if (today) body.today = today;
    const answer = await Console.pressed(document.getElementById("dry-run-submit"), "POST", "/v1/admin/rules/dry-run", body);
    if (!answer.ok) {
      Console.clear(dryResult);
      return Console.showProblem(dryProblem, answer);
    }
    report(answer.data);
  });

  document.getElementById("reload").addEventListener("click", async event => {
    const target = document.getElementById("reload-result");
    const answer = await Console.pressed(event.target, "POST", "/v1/admin/rules/reload");
    if (!answer.ok) return Console.showProblem(target, answer);
    Console.clear(target).append(el("dl", {}, Object.entries(answer.data).flatMap(([k, v]) =>
      [el("dt", {}, k), el("dd", {}, Console.plain(v))])));
    loadRuleset();
  });

  Console.onKey(loadRuleset);
})();
