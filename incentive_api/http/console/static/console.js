/* Shared by every console page: the API key (this tab's sessionStorage only), calls to the API with it,
   and building elements from data. Data is only ever set as text (textContent), never parsed as HTML. */
"use strict";

const KEY_NAME = "incentive-api-key";

const Console = {
  key() {
    return sessionStorage.getItem(KEY_NAME);
  },

  /* el("a", {href: url, class: "x"}, "text", childNode, ...): strings become text nodes. */
  el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "href") {
        const safe = Console.safeUrl(value);
        if (safe) node.setAttribute("href", safe);
      } else {
        node.setAttribute(name, value === true ? "" : String(value));
      }
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  },

  /* Only web links and this service's own paths: a rule file's "javascript:" URL is not a link, and neither
     is "//host" or "/\host", which a browser reads as another host. */
  safeUrl(value) {
    const text = String(value);
    try {
      if (text.startsWith("/")) {
        const url = new URL(text, location.origin);
        return url.origin === location.origin ? url.pathname + url.search + url.hash : null;
      }
      const url = new URL(text);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (_) {
      return null;
    }
  },

  clear(node) {
    node.replaceChildren();
    return node;
  },

  /* One exchange with the API: {status, ok, headers, data}; data is JSON when the answer is JSON. */
  async api(method, path, body, contentType) {
    const headers = {Accept: "application/json, application/problem+json"};
    const key = Console.key();
    if (key) headers["X-API-Key"] = key;
    let payload;
    if (body !== undefined) {
      headers["Content-Type"] = contentType || "application/json";
      payload = typeof body === "string" ? body : JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, {method, headers, body: payload, credentials: "omit", cache: "no-store"});
    } catch (error) {
      return {status: 0, ok: false, headers: new Headers(), data: {title: "The service did not answer", detail: String(error)}};
    }
    const type = response.headers.get("Content-Type") || "";
    let data = await response.text().catch(() => "");
    let ok = response.ok;
    if (type.includes("json")) {
      try {
        data = JSON.parse(data);
      } catch (_) {  // an empty or cut answer (a proxy's, a dropped connection) is shown, never thrown
        ok = false;
        data = {title: "The answer is not readable JSON", detail: data.slice(0, 300) || "The body is empty."};
      }
    }
    return {status: response.status, ok, headers: response.headers, data};
  },

  /* A problem+json answer (RFC 9457) shown as its title, detail and each error's pointer and message. */
  showProblem(target, answer) {
    Console.clear(target);
    const problem = typeof answer.data === "object" && answer.data ? answer.data : {detail: String(answer.data)};
    const box = Console.el("div", {class: "problem"},
      Console.el("strong", {}, `${answer.status || ""} ${problem.title || "Error"}`.trim()),
      problem.detail ? Console.el("p", {}, problem.detail) : null);
    if (answer.status === 401) box.append(Console.el("p", {}, "Enter an API key in the box at the top of the page."));
    if (answer.status === 403) box.append(Console.el("p", {}, "This needs an operator key."));
    if (Array.isArray(problem.errors) && problem.errors.length) {
      box.append(Console.el("ul", {}, problem.errors.map(e =>
        Console.el("li", {}, typeof e === "string" ? e : `${e.pointer || "(body)"}: ${e.message}`))));
    }
    target.append(box);
  },

  /* "9000.00" -> "9,000.00": decimal strings are grouped as text, never turned into floats. */
  grouped(amount) {
    const text = String(amount);
    const negative = text.startsWith("-");
    const [whole, fraction] = text.replace(/^-/, "").split(".");
    const digits = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return (negative ? "-" : "") + digits + (fraction !== undefined ? "." + fraction : "");
  },

  money(m) {
    return m && m.amount !== undefined && m.amount !== null ? `${Console.grouped(m.amount)} ${m.currency}` : "no money";
  },

  /* A value as short text: scalars as they are, objects as compact JSON. */
  plain(value) {
    if (value === null || value === undefined) return "none";
    return typeof value === "object" ? JSON.stringify(value) : String(value);
  },

  onKey(callback) {
    document.addEventListener("console:key", callback);
    if (Console.key()) callback();
  },

  busy(button, running) {
    button.disabled = running;
    button.setAttribute("aria-busy", running ? "true" : "false");
  },

  /* api() while `button` shows it is busy, so it cannot be pressed twice. */
  async pressed(button, method, path, body) {
    Console.busy(button, true);
    try {
      return await Console.api(method, path, body);
    } finally {
      Console.busy(button, false);
    }
  },
};

function showKeyState() {
  const state = document.getElementById("key-state");
  state.textContent = Console.key() ? "A key is set for this tab." : "No key: enter one to use the API.";
}

document.getElementById("key-form").addEventListener("submit", event => {
  event.preventDefault();
  const input = document.getElementById("api-key");
  const key = input.value.trim();
  input.value = "";
  if (!key) return;
  sessionStorage.setItem(KEY_NAME, key);
  showKeyState();
  document.dispatchEvent(new Event("console:key"));
});

document.getElementById("key-forget").addEventListener("click", () => {
  sessionStorage.removeItem(KEY_NAME);
  showKeyState();
});

showKeyState();
