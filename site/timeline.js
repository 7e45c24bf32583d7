// The boot timeline under the canvas and the compare section of the panel:
// controls forward to Go (window.linmap.seek, stepBy, jump, play, setSpeed,
// setCompare) and Go sends back what to show (window.linmapUI.renderTimeline).
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const range = $("tl-range");
  let last = null;
  let scrubbing = false; // the user holds the scrubber: do not move it under them

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }

  function call(name, ...args) {
    if (!window.linmap || !window.linmap[name]) return;
    const err = window.linmap[name](...args);
    // A full command queue only drops this step; the next input catches up.
    if (err && err !== "busy: try again") $("tl-caption").textContent = err;
  }

  range.addEventListener("pointerdown", () => { scrubbing = true; });
  window.addEventListener("pointerup", () => { scrubbing = false; });
  range.addEventListener("input", () => call("seek", Number(range.value)));
  $("tl-start").addEventListener("click", () => call("jump", "start"));
  $("tl-end").addEventListener("click", () => call("jump", "end"));
  $("tl-fail").addEventListener("click", () => call("jump", "failure"));
  $("tl-prev").addEventListener("click", () => call("stepBy", -1));
  $("tl-next").addEventListener("click", () => call("stepBy", 1));
  $("tl-play").addEventListener("click", () => call("play", !(last && last.playing)));
  $("tl-speed").addEventListener("change", (e) => call("setSpeed", Number(e.target.value)));

  // The canvas handles these keys itself (Ebiten); elsewhere on the page
  // they work too, except where they type text or press a button.
  document.addEventListener("keydown", (e) => {
    const t = e.target;
    if (t instanceof HTMLCanvasElement || e.ctrlKey || e.metaKey || e.altKey) return;
    if (t instanceof HTMLInputElement && t.type !== "range") return;
    if (t instanceof HTMLSelectElement || t instanceof HTMLTextAreaElement) return;
    const onButton = t instanceof HTMLButtonElement;
    let done = true;
    switch (e.key) {
      case ",": call("stepBy", -1); break;
      case ".": call("stepBy", 1); break;
      case "f": case "F": call("jump", "failure"); break;
      case " ": if (onButton) return; call("play", !(last && last.playing)); break;
      case "Home": call("jump", "start"); break;
      case "End": call("jump", "end"); break;
      default: done = false;
    }
    if (done) e.preventDefault();
  });

  function sendCompare() {
    call("setCompare", { mode: $("cmp-mode").value, era: $("cmp-era").value, cmdline: $("cmp-cmdline").value.trim() });
  }
  for (const id of ["cmp-mode", "cmp-era", "cmp-cmdline"]) $(id).addEventListener("change", sendCompare);
  $("cmp-form").addEventListener("submit", (e) => { e.preventDefault(); sendCompare(); });

  // Era B offers the eras of the main era picker (which Go fills), plus
  // "same as A".
  function syncEras() {
    const sel = $("cmp-era");
    const src = $("era");
    const key = Array.from(src.options).map((o) => o.value).join(",");
    if (sel.dataset.key === key) return;
    const keep = sel.value;
    const first = el("option", "same as A");
    first.value = "";
    sel.replaceChildren(first, ...Array.from(src.options).map((o) => {
      const c = el("option", o.textContent);
      c.value = o.value;
      return c;
    }));
    sel.dataset.key = key;
    sel.value = keep;
  }

  function renderCompare(c) {
    syncEras();
    const out = $("cmp-out");
    if (document.activeElement !== $("cmp-mode")) $("cmp-mode").value = c.mode || "";
    if (!c.mode) { out.replaceChildren(el("p", "Off. Choose a view to compare this layout with another era or command line.", "summary")); return; }
    const parts = [];
    if (c.error) parts.push(el("p", c.error, "fatal"));
    if (c.rows && c.rows.length) {
      const t = el("table");
      const head = el("tr");
      for (const h of ["", "A: " + c.labelA, "B: " + c.labelB]) head.append(el("th", h));
      t.append(head);
      for (const r of c.rows) {
        const tr = el("tr", undefined, r.differs ? "differs" : "");
        tr.append(el("td", r.what), el("td", r.a, "num"), el("td", r.b, "num"));
        t.append(tr);
      }
      parts.push(t);
    }
    const ranges = c.ranges || [];
    parts.push(el("h3", ranges.length === 0 ? "No physical range differs." :
      ranges.length + (ranges.length === 200 ? "+" : "") + " physical range(s) differ (highlighted on the canvas):"));
    const ul = el("ul", undefined, "diffs");
    for (const r of ranges) {
      const li = el("li");
      li.append(el("span", r.pa + "–" + r.end + " (" + r.size + ", " + r.kind + "): " + r.a + " → " + r.b, "num"));
      li.append(el("div", "A: " + r.whyA, "why"), el("div", "B: " + r.whyB, "why"));
      li.title = "A: " + r.whyA + "\nB: " + r.whyB;
      ul.append(li);
    }
    parts.push(ul);
    out.replaceChildren(...parts);
  }

  function render(t) {
    last = t;
    range.max = String(Math.max(0, t.end));
    if (!scrubbing) range.value = String(Math.max(0, t.step));
    range.setAttribute("aria-valuetext", "step " + t.step + " of " + t.end + ": " + t.kind);
    $("tl-pos").textContent = t.end < 0 ? "no trace" : "step " + t.step + " / " + t.end;
    $("tl-play").textContent = t.playing ? "❚❚ Pause" : "▶ Play";
    $("tl-play").setAttribute("aria-pressed", t.playing ? "true" : "false");
    $("tl-fail").disabled = t.failure < 0;
    if (document.activeElement !== $("tl-speed")) $("tl-speed").value = String(t.speed);
    const cap = $("tl-caption");
    const text = t.kind ? t.kind + (t.func ? " · " + t.func + "(): " : ": ") + t.text : "";
    if (cap.textContent !== text) cap.textContent = text;
    cap.className = t.failed ? "fatal" : "";
    const facts = [];
    if (!t.scrubbed) {
      $("tl-facts").textContent = t.end < 0 ? "" : "The canvas shows the whole boot. Drag the scrubber, step, or press Play to replay its " + (t.end + 1) + " steps.";
      renderCompare(t.compare || {});
      return;
    }
    if (t.limit) facts.push("memblock.current_limit " + t.limit);
    const tables = t.tables || [];
    facts.push(tables.length + " page-table allocation(s) so far" + (t.notMapped ? ", " + t.notMapped + " NOT mapped yet when allocated" : ""));
    facts.push(t.mapped + " leaf run(s) written");
    if (t.fatal) facts.push("boot stopped: " + t.fatal);
    $("tl-facts").textContent = facts.join(" · ");
    renderCompare(t.compare || {});
  }

  window.linmapUI = window.linmapUI || {};
  // Like the panel, the DOM follows once per animation frame: the player
  // and a dragged scrubber change the step every tick.
  let queued = null;
  window.linmapUI.renderTimeline = (t) => {
    const first = queued === null;
    queued = t;
    if (!first) return;
    requestAnimationFrame(() => { const q = queued; queued = null; render(q); });
  };
})();
