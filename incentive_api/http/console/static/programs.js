/* Programs: GET /v1/programs?port=&as_of= as one card per program, and its editions on demand. */
"use strict";

(function () {
  const {el} = Console;
  const form = document.getElementById("programs-form");
  const list = document.getElementById("programs");
  const problem = document.getElementById("problem");
  const summary = document.getElementById("programs-summary");
  document.getElementById("as-of").value = new Date().toISOString().slice(0, 10);

  function benefitLines(benefits) {
    return el("ul", {}, benefits.map(b => el("li", {}, b.text || Console.money(b),
      b.conditional ? " (conditional)" : null)));
  }

  function sourceLinks(sources) {
    return el("ul", {class: "sources"}, sources.map(s => el("li", {},
      Console.safeUrl(s.url) ? el("a", {href: s.url, rel: "noopener noreferrer"}, s.title || s.id) : (s.title || s.id),
      ` [${s.id}]`)));
  }

  function editions(programId) {
    const box = el("div", {class: "editions"}, "Loading editions…");
    Console.api("GET", `/v1/programs/${encodeURIComponent(programId)}`).then(answer => {
      if (!answer.ok) return Console.showProblem(box, answer);
      Console.clear(box).append(el("table", {},
        el("thead", {}, el("tr", {}, ["edition", "from", "until", "ports", "draft"].map(h => el("th", {scope: "col"}, h)))),
        el("tbody", {}, answer.data.editions.map(e => el("tr", {},
          el("td", {}, e.edition), el("td", {}, e.window.from || "always"), el("td", {}, e.window.until || "open"),
          el("td", {}, (e.ports || []).join(", ")), el("td", {}, e.draft ? "draft" : ""))))));
    });
    return box;
  }

  function card(p) {
    const body = el("article", {class: "card", "data-program": p.program},
      el("h2", {}, p.name),
      el("p", {class: "meta"}, `${p.program} · edition ${p.edition} · ${p.sponsor} · ${p.kind}`,
        p.draft ? el("span", {class: "badge draft"}, "draft") : null),
      el("p", {}, `In effect from ${p.window.from || "always"} until ${p.window.until || "further notice"}; ports ${(p.ports || []).join(", ")}.`));
    if (p.levels && p.levels.length) {
      body.append(el("h3", {}, "Levels"), el("ul", {}, p.levels.map(l => el("li", {},
        el("strong", {}, l.level), ` when ${l.when}: `, benefitLines(l.benefits)))));
    }
    if (p.benefits && p.benefits.length) body.append(el("h3", {}, "Benefits"), benefitLines(p.benefits));
    if (p.addons && p.addons.length) {
      body.append(el("h3", {}, "Add-ons"), el("ul", {}, p.addons.map(a => el("li", {},
        el("strong", {}, a.id), ` when ${a.when}${a.standalone ? "" : " (only with a level)"}: `, benefitLines(a.benefits)))));
    }
    if (p.cap) body.append(el("p", {}, `Capped at ${Console.money(p.cap)} per call.`));
    if (p.obligations && p.obligations.length) {
      body.append(el("h3", {}, "Obligations"), el("ul", {}, p.obligations.map(o => el("li", {}, Console.plain(o)))));
    }
    if (p.notes && p.notes.length) body.append(el("h3", {}, "Notes"), el("ul", {class: "notes"}, p.notes.map(n => el("li", {}, n))));
    if (p.sources && p.sources.length) body.append(el("h3", {}, "Sources"), sourceLinks(p.sources));
    const more = el("details", {}, el("summary", {}, "All editions"));
    more.addEventListener("toggle", () => {
      if (more.open && more.children.length === 1) more.append(editions(p.program));
    });
    body.append(more);
    return body;
  }

  let latest = 0;  // an answer to an older query never replaces a newer one

  async function load() {
    const asked = ++latest;
    const params = new URLSearchParams();
    const port = document.getElementById("port").value.trim().toUpperCase();
    const asOf = document.getElementById("as-of").value;
    if (port) params.set("port", port);
    if (asOf) params.set("as_of", asOf);
    const answer = await Console.api("GET", `/v1/programs?${params}`);
    if (asked !== latest) return;
    Console.clear(list);
    Console.clear(problem);
    summary.textContent = "";
    if (!answer.ok) return Console.showProblem(problem, answer);
    const d = answer.data;
    summary.textContent = `${d.programs.length} programs in effect${d.port ? " at " + d.port : ""} on ${d.as_of} (ruleset ${d.ruleset.revision}).`;
    list.append(...d.programs.map(card));
  }

  form.addEventListener("submit", event => {
    event.preventDefault();
    load();
  });
  Console.onKey(load);
})();
