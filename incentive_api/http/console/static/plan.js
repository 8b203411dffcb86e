/* Plan: a vessel and a schedule (CSV read by /console/schedule, or JSON calls) sent to POST /v1/plans;
   the answer as a table of calls by programs, totals, obligations, ranked advice and a chart. */
"use strict";

(function () {
  const {el} = Console;
  const SAMPLE_VESSEL = {
    imo: "IMO 9619907", type: "container", gross_tonnage: 194849, fuels: ["lng"], scrubber: "none",
    engines: [{role: "main", imo_nox_tier: 3}],
    esi: {score: 51.2, nox_valid: true, sox_valid: true, valid_until: "2027-12-31"},
  };
  const SAMPLE_CSV = [
    "port,arrival,departure,fees",
    "USLGB,2026-03-02,2026-03-04,dockage=18500.00 USD",
    "SGSIN,2026-03-16,2026-03-17,port_dues=10000.00 SGD",
    "USLGB,2026-04-13,2026-04-15,",
    "NLRTM,2026-05-04,2026-05-06,",
  ].join("\n");
  const problem = document.getElementById("problem");
  const result = document.getElementById("plan-result");
  const submit = document.getElementById("plan-submit");
  const schedule = document.getElementById("plan-schedule");
  const chart = document.getElementById("plan-chart");
  let chartUrl = null;

  function fail(title, detail) {
    Console.showProblem(problem, {status: 0, data: {title, detail}});
    return null;
  }

  /* The calls the schedule box holds: JSON (a list of calls, or {calls: [...]}) as it is, CSV via the server. */
  async function calls() {
    const text = schedule.value.trim();
    if (text.startsWith("[") || text.startsWith("{")) {
      let parsed;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        return fail("The schedule's JSON does not parse", error.message);
      }
      const list = Array.isArray(parsed) ? parsed : parsed.calls;
      return Array.isArray(list) ? list : fail("The schedule's JSON holds no calls", 'Give a list of calls, or {"calls": [...]}.');
    }
    const answer = await Console.api("POST", "/console/schedule", text, "text/csv");
    if (!answer.ok) {
      Console.showProblem(problem, answer);
      return null;
    }
    return answer.data.calls;
  }

  function cell(entry) {
    if (!entry) return el("td", {class: "none"}, "");
    return el("td", {class: `status-${entry.status}`}, entry.status.replace("_", " "),
      entry.level ? ` · ${entry.level}` : null, entry.total ? el("br") : null,
      entry.total ? Console.money(entry.total) : null);
  }

  function table(answer) {
    const programs = [];
    for (const call of answer.calls) for (const p of call.programs) if (!programs.includes(p.program)) programs.push(p.program);
    return [
      el("thead", {}, el("tr", {}, el("th", {scope: "col"}, "call"), el("th", {scope: "col"}, "port"),
        el("th", {scope: "col"}, "arrival"), programs.map(p => el("th", {scope: "col"}, p)))),
      el("tbody", {}, answer.calls.map(call => {
        const by = Object.fromEntries(call.programs.map(p => [p.program, p]));
        return el("tr", {},
          el("th", {scope: "row"}, el("a", {href: `/console/record#${call.decision_id}`}, String(call.call))),
          el("td", {}, call.port), el("td", {}, call.arrival), programs.map(p => cell(by[p])));
      })),
    ];
  }

  /* The chart of this plan, or none: never the last plan's chart beside this plan's numbers. */
  async function drawChart(totals) {
    chart.hidden = true;
    if (chartUrl) URL.revokeObjectURL(chartUrl);
    chartUrl = null;
    try {
      const answer = await fetch("/console/plan-chart.svg", {
        method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(totals), credentials: "omit",
      });
      if (!answer.ok) return;
      chartUrl = URL.createObjectURL(await answer.blob());
    } catch (_) {  // the table and totals stand without it
      return;
    }
    chart.src = chartUrl;
    chart.hidden = false;
  }

  function show(answer) {
    document.getElementById("plan-id").textContent = `Plan ${answer.plan_id} · ruleset ${answer.ruleset.revision}`;
    Console.clear(document.getElementById("plan-calls")).append(...table(answer));
    const totals = answer.totals.by_currency;
    Console.clear(document.getElementById("plan-totals")).append(...(totals.length
      ? totals.map(m => el("li", {class: "total"}, Console.money(m)))
      : [el("li", {}, "No money in this plan.")]));
    if (answer.totals.converted) {
      document.getElementById("plan-totals").append(el("li", {}, `converted: ${Console.plain(answer.totals.converted)}`));
    }
    Console.clear(document.getElementById("plan-obligations")).append(...(answer.obligations.length
      ? answer.obligations.map(o => el("li", {}, el("strong", {}, o.program), `: ${o.obligation} `,
        el("span", {class: "meta"}, `(${o.calls} calls: ${o.call_indexes.join(", ")})`)))
      : [el("li", {}, "No obligations.")]));
    const advice = answer.advice || [];
    Console.clear(document.getElementById("plan-advice-list")).append(...(advice.length
      ? advice.map(a => el("li", {},
        a.changes.map(c => el("code", {}, `${c.path}: ${Console.plain(c.from)} → ${Console.plain(c.to)}`)).flatMap(n => [n, " "]),
        el("br"), `adds ${a.adds.map(Console.money).join(" + ") || "nothing as money"} over ${a.calls} calls (${a.programs.join(", ")})`,
        a.unpriced && a.unpriced.length ? el("span", {class: "meta"}, `; unpriced: ${Console.plain(a.unpriced)}`) : null))
      : [el("li", {}, answer.advice ? "No change raises any program." : "Advice was not asked for.")]));
    result.hidden = false;
    drawChart(answer.totals);
  }

  document.getElementById("plan-file").addEventListener("change", async event => {
    const file = event.target.files[0];
    if (file) schedule.value = await file.text();
  });

  document.getElementById("plan-form").addEventListener("submit", async event => {
    event.preventDefault();
    Console.clear(problem);
    let vessel;
    try {
      vessel = JSON.parse(document.getElementById("plan-vessel").value);
    } catch (error) {
      return fail("The vessel's JSON does not parse", error.message);
    }
    Console.busy(submit, true);
    try {
      const list = await calls();
      if (!list) return;
      const body = {vessel, calls: list};
      if (document.getElementById("plan-advice").checked) body.advice = true;
      const answer = await Console.api("POST", "/v1/plans", body);
      if (!answer.ok) {
        result.hidden = true;
        return Console.showProblem(problem, answer);
      }
      show(answer.data);
    } finally {
      Console.busy(submit, false);
    }
  });

  document.getElementById("plan-vessel").value = JSON.stringify(SAMPLE_VESSEL, null, 2);
  schedule.value = SAMPLE_CSV;
})();
