/* A decision as one card per program: status, level, money, criteria, missing inputs, obligations, advice.
   Shared by the Decide page and the decision record page. */
"use strict";

const Cards = (function () {
  const {el} = Console;
  const PASSED = {true: ["passed", "✓ passed"], false: ["failed", "✗ failed"], null: ["unknown", "? unknown"]};

  function benefit(b) {
    if (b.amount !== null && b.amount !== undefined) return `${b.id}: ${Console.money(b)}`;
    if (b.percent !== null && b.percent !== undefined) return `${b.id}: ${b.percent}% of ${b.fee}`;
    return b.id;
  }

  function gain(g) {
    if (!g) return "no gain that can be said as money";
    if (g.amount !== undefined) return `adds ${Console.money(g)}`;
    return `${g.percent}% of ${g.fee}`;
  }

  function criteria(list) {
    return el("table", {class: "criteria"},
      el("thead", {}, el("tr", {}, ["result", "input", "reason"].map(h => el("th", {scope: "col"}, h)))),
      el("tbody", {}, list.map(c => {
        const [cls, label] = PASSED[String(c.passed)];
        return el("tr", {class: cls}, el("td", {}, label), el("td", {}, el("code", {}, c.path)), el("td", {}, c.reason));
      })));
  }

  function advice(options) {
    if (!options.length) return el("p", {}, "No actionable change raises this program.");
    return el("ol", {class: "advice"}, options.map(o => el("li", {},
      el("ul", {}, o.changes.map(c => el("li", {}, el("code", {}, c.path), `: ${Console.plain(c.from)} → ${Console.plain(c.to)}`))),
      el("p", {}, `gives ${o.status}${o.level ? ", " + o.level : ""}, ${Console.money(o.total)}; ${gain(o.gain)}`))));
  }

  function section(title, items, render) {
    if (!items || !items.length) return null;
    return [el("h4", {}, title), el("ul", {}, items.map(i => el("li", {}, render ? render(i) : Console.plain(i))))];
  }

  function card(p) {
    const money = p.total ? Console.money(p.total) : "no money";
    const box = el("article", {class: `card status-${p.status}`, "data-program": p.program, "data-status": p.status},
      el("h3", {}, p.name),
      el("p", {class: "meta"}, `${p.program} · edition ${p.edition} · ${p.sponsor} · ${p.kind}`),
      el("p", {class: "verdict"},
        el("span", {class: "badge"}, p.status.replace("_", " ")),
        p.level ? el("span", {class: "level"}, p.level) : null,
        el("span", {class: "money"}, money),
        p.draft ? el("span", {class: "badge draft"}, "draft") : null));
    if (p.next_level) box.append(el("p", {}, `Next level: ${p.next_level.level}, needs ${p.next_level.needs}`));
    box.append(...(section("Benefits", p.benefits, benefit) || []));
    box.append(...(section("Inputs missing", p.missing, m => el("code", {}, m)) || []));
    box.append(...(section("Obligations", p.obligations) || []));
    if (p.criteria && p.criteria.length) {
      const failed = p.criteria.filter(c => c.passed === false).length;
      const unknown = p.criteria.filter(c => c.passed === null).length;
      box.append(el("details", {},
        el("summary", {}, `Criteria: ${p.criteria.length - failed - unknown} passed, ${failed} failed, ${unknown} unknown`),
        criteria(p.criteria)));
    }
    if (Array.isArray(p.advice)) box.append(el("h4", {}, "Advice"), advice(p.advice));
    if ((p.notes && p.notes.length) || (p.sources && p.sources.length)) {
      box.append(el("details", {}, el("summary", {}, "Notes and sources"),
        ...(section("Notes", p.notes) || []),
        ...(section("Sources", p.sources, s => Console.safeUrl(s.url)
          ? el("a", {href: s.url, rel: "noopener noreferrer"}, s.title || s.id) : (s.title || s.id)) || [])));
    }
    return box;
  }

  function render(target, decision) {
    Console.clear(target).append(
      el("p", {class: "decision-id"}, "Decision ",
        el("a", {href: `/console/record#${decision.decision_id}`, id: "decision-link"}, decision.decision_id),
        ` · as of ${decision.as_of} · ruleset ${decision.ruleset.revision}`),
      el("div", {class: "cards"}, decision.programs.map(card)));
  }

  return {render};
})();
