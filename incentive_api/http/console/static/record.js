/* A decision record: GET /v1/decisions/{id}, the answer as it was served, with its X-Receipt signature. */
"use strict";

(function () {
  const input = document.getElementById("record-id");
  const problem = document.getElementById("problem");
  const receipt = document.getElementById("receipt");
  const result = document.getElementById("decision");

  async function open() {
    const id = input.value.trim().toLowerCase();
    Console.clear(problem);
    Console.clear(result);
    receipt.hidden = true;
    if (!id) return;
    const answer = await Console.api("GET", `/v1/decisions/${encodeURIComponent(id)}`);
    if (!answer.ok) return Console.showProblem(problem, answer);
    document.getElementById("receipt-value").textContent = answer.headers.get("X-Receipt") || "none";
    receipt.hidden = false;
    Cards.render(result, answer.data);
  }

  document.getElementById("record-form").addEventListener("submit", event => {
    event.preventDefault();
    if (location.hash.slice(1) !== input.value.trim()) history.replaceState(null, "", `#${input.value.trim()}`);
    open();
  });
  let wanted = location.hash.slice(1);
  try {
    wanted = decodeURIComponent(wanted);
  } catch (_) {  // not percent-encoding: asked for as it stands, and refused by the API with a reason
  }
  input.value = wanted;
  Console.onKey(open);
})();
