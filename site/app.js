// linmap's page glue: loads the wasm, renders what Go sends
// (window.linmapUI.render(panel), once per model change) and forwards each
// control to its one entry in window.linmap. Go decides; this file shows.
// All 64-bit numbers arrive as strings.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  let last = null;

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }

  function call(name, ...args) {
    if (!window.linmap || !window.linmap[name]) return "";
    const err = window.linmap[name](...args);
    if (typeof err === "string" && err && err !== "busy: try again") window.linmap.notify(err, "page");
    return err;
  }

  // Selects and checkboxes always show the layout being simulated, even
  // when focused (undo must not leave the era select naming another era).
  // A text field keeps what the user is typing until it is committed.
  function setOptions(sel, items, value) {
    const key = JSON.stringify(items);
    if (sel.dataset.key !== key) {
      sel.replaceChildren(...items.map(([v, label]) => { const o = el("option", label); o.value = String(v); return o; }));
      sel.dataset.key = key;
    }
    sel.value = String(value);
  }
  function setText(input, value) {
    if (document.activeElement === input && input.dataset.typing === "1") return;
    input.value = value;
  }
  for (const id of ["cmdline", "name", "cmp-cmdline", "goto"]) {
    $(id).addEventListener("input", (e) => { e.target.dataset.typing = "1"; });
    $(id).addEventListener("change", (e) => { e.target.dataset.typing = ""; });
    $(id).addEventListener("blur", (e) => { e.target.dataset.typing = ""; });
  }

  function dl(box, pairs) {
    box.replaceChildren();
    for (const [k, v, cls] of pairs) {
      if (v === undefined || v === "") continue;
      const dd = el("dd", v);
      if (cls) dd.className = cls;
      box.append(el("dt", k), dd);
    }
  }

  function table(head, rows) {
    const t = el("table");
    const tr = el("tr");
    for (const h of head) tr.append(el("th", h));
    t.append(tr);
    for (const r of rows) {
      const row = el("tr", undefined, r.cls || "");
      (r.cells || r).forEach((c, i) => row.append(el("td", c, i > 0 ? "num" : "")));
      t.append(row);
    }
    return t;
  }

  // The results at a glance: real text, first in the panel, updated live.
  function renderGlance(p) {
    const s = p.summary;
    const out = $("outcome");
    if (out.textContent !== s.outcome) out.textContent = s.outcome;
    out.className = s.fails ? "fatal" : "boots";
    const leaves = (s.leaves || []).map((l) => l.key + " " + l.human + " (" + l.share + ")").join(", ");
    const lost = (s.lost || []).map((l) => l.human + " " + l.key).join(", ");
    dl($("numbers"), s.refused ? [] : [
      ["PHYS_OFFSET", s.physOffset, "num"],
      ["PAGE_OFFSET", s.pageOffset, "num"],
      ["leaf mix", leaves],
      ["TLB entries", s.tlb, "num"],
      ["page tables", s.tableBytes.human + " in " + s.tablePages],
      ["lost", lost || "nothing"],
      ["warnings", (s.warnings || []).length ? s.warnings.join(" · ") : "none", (s.warnings || []).length ? "warn" : ""],
    ]);
    const ex = $("explain");
    const steps = p.timeline.explain || [];
    if (steps.length === 0) ex.replaceChildren();
    else {
      const ol = el("ol");
      for (const st of steps) {
        const li = el("li");
        li.append(el("strong", "step " + st.index + " · " + st.why + ": "), el("span", (st.func ? st.func + "(): " : "") + st.text));
        ol.append(li);
      }
      ex.replaceChildren(el("h2", "Why the boot fails here"), ol);
    }
    renderAssumptions(p.assumptions || []);
  }

  // What the layout rests on that no input said: each field and value,
  // how it was reached (inferred, default, skipped), why, and where.
  function renderAssumptions(as) {
    const box = $("assumptions");
    const key = JSON.stringify(as);
    if (box.dataset.key === key) return;
    box.dataset.key = key;
    if (as.length === 0) { box.replaceChildren(); return; }
    const ul = el("ul");
    for (const a of as) {
      const li = el("li", undefined, "assumption " + a.kind);
      li.append(el("strong", a.field + (a.value ? " = " + a.value : "")), " ", el("span", a.kind, "badge"));
      if (a.source) li.append(" ", el("span", a.source, "src"));
      li.append(el("div", a.reason, "why"));
      ul.append(li);
    }
    box.replaceChildren(el("h2", "What the layout assumes"), ul);
  }

  function renderNotices(p) {
    const ul = $("notices");
    const key = JSON.stringify(p.notices || []);
    if (ul.dataset.key === key) return;
    ul.dataset.key = key;
    ul.replaceChildren(...(p.notices || []).map((n) => {
      const li = el("li", undefined, "notice " + n.severity);
      li.dataset.code = n.code;
      li.setAttribute("role", n.severity === "error" ? "alert" : "status");
      const b = el("button", "×", "dismiss");
      b.type = "button";
      b.setAttribute("aria-label", "Dismiss");
      b.addEventListener("click", () => call("dismiss", n.id));
      li.append(el("span", n.text), b);
      return li;
    }));
  }

  function renderDetails(p) {
    const s = p.summary;
    const parts = [];
    if (!s.refused) {
      const d = el("dl");
      dl(d, [["era", s.era], ["geometry", s.geometry], ["linear region", s.linear, "num"], ["kernel image", s.image, "num"],
        ["mapped", s.mapped.human + " (" + s.mapped.hex + ")", "num"]]);
      parts.push(d);
      parts.push(el("h3", "Leaf sizes and why"));
      parts.push(table(["leaf", "bytes", "why"], (s.leaves || []).map((l) => [l.key, l.human, l.why])));
      parts.push(el("h3", "Page-table pages"));
      const rows = (s.tables || []).map((t) => [t.level, t.pages, t.bytes]);
      rows.push(["total", s.tablePages, s.tableBytes.human]);
      parts.push(table(["level", "pages", "bytes"], rows));
    }
    $("details").replaceChildren(...parts);
  }

  function renderControls(p) {
    const c = p.controls;
    setOptions($("era"), p.eras.map((e) => [e.id, e.label + (e.note ? " *" : "")]), c.era);
    const era = p.eras.find((e) => e.id === c.era);
    $("era-summary").textContent = era ? era.summary + (era.note ? " (" + era.note + ")" : "") : "";
    setOptions($("pageSize"), (p.pageSizes || []).map((s) => [s, s]), c.pageSize);
    setOptions($("vaBits"), (p.vaBits || []).map((v) => [v, String(v)]), c.vaBits);
    setText($("cmdline"), c.cmdline);
    setText($("name"), c.name);
    $("va52").checked = c.va52;
    $("lpa2").checked = c.lpa2;
    $("bbml2").checked = c.bbml2;
    $("realm").checked = c.realm;
    $("paBits").value = String(c.paBits);
    $("preset").value = p.preset || "";
    $("selected").textContent = p.selected ? "Selected: " + p.selected : "";
    $("zoomSel").disabled = !p.selected;
    const u = p.undo;
    $("undo").disabled = !u.canUndo;
    $("redo").disabled = !u.canRedo;
    $("undo").title = u.canUndo ? "Undo " + u.undoLabel + " (Ctrl+Z)" : "Nothing to undo";
    $("redo").title = u.canRedo ? "Redo " + u.redoLabel + " (Ctrl+Shift+Z)" : "Nothing to redo";
    const cmpEra = $("cmp-era");
    setOptions(cmpEra, [["", "same as A"]].concat(p.eras.map((e) => [e.id, e.label])), p.compare.spec.era || "");
  }

  function renderTimeline(t) {
    const range = $("tl-range");
    range.max = String(Math.max(0, t.end));
    if (!scrubbing) range.value = String(Math.max(0, t.step));
    range.setAttribute("aria-valuetext", "step " + t.step + " of " + t.end + (t.current.kind ? ": " + t.current.kind : ""));
    $("tl-pos").textContent = t.end < 0 ? "no trace" : "step " + t.step + " / " + t.end;
    $("tl-play").textContent = t.playing ? "❚❚ Pause" : "▶ Play";
    $("tl-play").setAttribute("aria-pressed", t.playing ? "true" : "false");
    $("tl-fail").disabled = t.failure < 0;
    $("tl-speed").value = String(t.speed);
    const cap = $("tl-caption");
    let text;
    if (!t.scrubbed) text = t.end < 0 ? "" : "The canvas shows the whole boot. Drag the scrubber, step, or press Play to replay its " + (t.end + 1) + " steps.";
    else {
      const c = t.current;
      text = c.kind + (c.func ? " · " + c.func + "(): " : ": ") + c.text;
      const facts = [];
      if (t.limit) facts.push("memblock.current_limit " + t.limit);
      facts.push(t.tables + " page-table allocation(s)" + (t.notMapped ? ", " + t.notMapped + " NOT mapped yet" : ""));
      facts.push(t.mapped + " leaf run(s) written");
      text += " — " + facts.join(" · ");
    }
    if (cap.textContent !== text) cap.textContent = text;
    cap.className = t.failed ? "fatal" : "";
  }

  function renderCompare(c) {
    const s = c.spec;
    $("cmp-mode").value = s.mode || "";
    for (const k of ["pageSize", "lpa2", "va52", "bbml2", "realm"]) $("cmp-" + k).value = s[k] || "";
    $("cmp-vaBits").value = String(s.vaBits || 0);
    const flip = $("cmp-flip");
    flip.hidden = s.mode !== "flip";
    flip.setAttribute("aria-pressed", c.showingB ? "true" : "false");
    flip.textContent = c.showingB ? "Showing B — show A" : "Showing A — show B";
    setText($("cmp-cmdline"), s.cmdline || "");
    const out = $("cmp-out");
    if (!s.mode) { out.replaceChildren(el("p", "Off. Choose a view to compare this layout with another era, command line, page size, VA_BITS or CPU.", "summary")); return; }
    const parts = [];
    if (c.error) parts.push(el("p", c.error, "fatal"));
    if (c.rows && c.rows.length) {
      parts.push(table(["", "A: " + c.labelA, "B: " + c.labelB],
        c.rows.map((r) => ({ cells: [r.what, r.a, r.b], cls: r.differs ? "differs" : "" }))));
    }
    const ranges = c.ranges || [];
    parts.push(el("h3", ranges.length === 0 ? "No physical range differs." :
      (ranges.length + c.more) + " physical range(s) differ (outlined on the canvas)" + (c.more ? "; the first " + ranges.length + ":" : ":")));
    const ul = el("ul", undefined, "diffs");
    for (const r of ranges) {
      const li = el("li");
      li.append(el("div", r.pa + " (" + r.size + "): " + r.label, "num"));
      for (const w of r.why || []) li.append(el("div", w, "why"));
      ul.append(li);
    }
    parts.push(ul);
    out.replaceChildren(...parts);
  }

  function renderPanel(p) {
    renderGlance(p);
    renderNotices(p);
    renderControls(p);
    renderDetails(p);
    renderTimeline(p.timeline);
    renderCompare(p.compare);
    renderBoard(p);
    renderCheck(p.check);
  }

  // Your board: what is gathered, what the layout came from, and what a
  // check would take.
  let taken = 0;
  function renderBoard(p) {
    const b = p.board;
    if (b.taken > taken) {
      // The model used the box's text (added, imported or checked).
      taken = b.taken;
      $("paste-text").value = "";
    }
    const key = JSON.stringify(b.pending);
    const ul = $("inputs");
    if (ul.dataset.key !== key) {
      ul.dataset.key = key;
      const had = ul.contains(document.activeElement) ? Number(document.activeElement.dataset.index) : -1;
      ul.replaceChildren(...b.pending.map((f, i) => {
        const li = el("li");
        li.append(el("strong", f.name), " ", el("span", f.formats.join(", ") + " · " + f.lines + " lines, " + f.size, "why"));
        const x = el("button", "×", "dismiss");
        x.type = "button";
        x.dataset.index = String(i);
        x.setAttribute("aria-label", "Remove " + f.name);
        x.addEventListener("click", () => call("removeInput", i));
        li.append(" ", x);
        return li;
      }));
      $("inputs-box").hidden = b.pending.length === 0;
      // Keep the keyboard in the list after a removal.
      const next = ul.querySelectorAll("button")[Math.min(had, b.pending.length - 1)];
      if (had >= 0) (next || $("paste-text")).focus();
    }
    $("inputs-hint").hidden = !b.hint;
    $("inputs-hint").textContent = b.hint;
    const list = (xs) => xs.map((f) => f.name + " (" + f.formats.join(", ") + ")").join(", ");
    $("source").textContent = b.source.length ? "The layout was last built from " + list(b.source) + "." : "";
    $("check-takes").textContent = b.pending.length ? "Checks " + list(b.pending) + ", with any text in the box."
      : b.source.length ? "With nothing gathered or pasted, checks what the layout was last built from." : "";
    setOptions($("check-era"), [["", "as the inputs say"], ...p.eras.map((e) => [e.id, e.label])], $("check-era").value);
  }

  // The check: summary, problem, staleness, then each fact, differing
  // first; a fact's button selects it (its ranges outlined and shown).
  let checkKey = "";
  function renderCheck(c) {
    const box = $("check");
    box.hidden = !c.ran;
    if (!c.ran) { checkKey = ""; return; }
    $("check-summary").textContent = c.summary + (c.drawn && !c.stale ? " — " + c.drawn + " differing fact" + (c.drawn === 1 ? "" : "s") + " outlined on both address spaces" : "");
    $("check-problem").hidden = !c.problem;
    $("check-problem").textContent = c.problem ? "No model: " + c.problem : "";
    $("check-stale").hidden = !c.stale;
    const key = JSON.stringify([c.id, c.facts.length, c.inputs, c.overrides, c.model]);
    if (key !== checkKey) {
      // A new report: show it where the panel's reader is, whichever
      // button ran it (the summary is announced as a status).
      if (!checkKey.startsWith("[" + c.id + ",")) box.scrollIntoView({ block: "start" });
      checkKey = key;
      const meta = [];
      if (c.model) meta.push(["model", c.model]);
      meta.push(["inputs", (c.inputs || []).join("; ")]);
      if ((c.overrides || []).length) meta.push(["options", c.overrides.join("; ")]);
      const d = el("dl");
      dl(d, meta);
      $("check-meta").replaceChildren(d);
      $("facts").replaceChildren(...c.facts.map(factItem));
      if (c.more) $("facts").append(el("li", "… and " + c.more + " more (linmap check FILE… lists them all)", "why"));
    }
    for (const b of $("facts").querySelectorAll("button.fact-sel")) {
      const on = Number(b.dataset.index) === c.selected;
      b.setAttribute("aria-pressed", on ? "true" : "false");
      b.parentElement.classList.toggle("selected", on);
    }
  }

  function factItem(f) {
    const li = el("li", undefined, "fact " + f.verdict);
    const b = el("button", undefined, "fact-sel");
    b.type = "button";
    b.dataset.index = String(f.index);
    b.setAttribute("aria-pressed", "false");
    b.title = f.ranges && f.ranges.length ? "Show its ranges on both address spaces" : "Select it (it has no address range)";
    // The sign repeats the word for the eye; a screen reader says the word.
    const icon = el("span", f.icon, "icon");
    icon.setAttribute("aria-hidden", "true");
    b.append(icon, " ", el("span", f.verdict, "verdict"), " ", el("span", f.what, "what"));
    b.addEventListener("click", () => call("selectFact", b.getAttribute("aria-pressed") === "true" ? -1 : f.index));
    li.append(b);
    const d = el("dl");
    const src = el("span", f.where, "src");
    if (f.text) src.title = f.text;
    const printed = el("dd", f.printed + " ");
    printed.append(src);
    d.append(el("dt", "printed"), printed);
    dl2(d, [["model", f.model || "—"], ["cause", f.cause, "why"], ["ranges", (f.ranges || []).join(" · "), "num"],
      ["outlined at", (f.outlined || []).join(" · "), "num"]]);
    li.append(d);
    if (f.text) {
      const det = el("details");
      det.append(el("summary", "the line as printed"), el("code", f.text));
      li.append(det);
    }
    return li;
  }

  // dl2 appends pairs to a definition list.
  function dl2(box, pairs) {
    for (const [k, v, cls] of pairs) {
      if (v === undefined || v === "") continue;
      const dd = el("dd", v);
      if (cls) dd.className = cls;
      box.append(el("dt", k), dd);
    }
  }

  // Go calls render from its game loop, up to once a frame while dragging;
  // the DOM follows once per animation frame with the latest.
  let queued = false;
  window.linmapUI = {
    render(json) {
      last = JSON.parse(json);
      if (queued) return;
      queued = true;
      requestAnimationFrame(() => { queued = false; renderPanel(last); });
    },
    // download saves a Blob under name; the last one is kept for the tests.
    download(blob, name) {
      window.linmapLastDownload = { name, type: blob.type, blob };
      const url = URL.createObjectURL(blob);
      const a = el("a");
      a.href = url;
      a.download = name;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000); // at once can cancel it
    },
  };

  function sendControls() {
    call("setControls", {
      era: $("era").value, pageSize: $("pageSize").value, vaBits: Number($("vaBits").value),
      cmdline: $("cmdline").value, va52: $("va52").checked, lpa2: $("lpa2").checked, bbml2: $("bbml2").checked,
      realm: $("realm").checked, paBits: Number($("paBits").value), name: $("name").value,
    });
  }
  for (const id of ["era", "pageSize", "vaBits", "va52", "lpa2", "bbml2", "realm", "paBits", "cmdline", "name"]) $(id).addEventListener("change", sendControls);
  $("controls").addEventListener("submit", (e) => { e.preventDefault(); sendControls(); });
  $("preset").addEventListener("change", (e) => { if (e.target.value) call("loadPreset", e.target.value); });
  $("fit").addEventListener("click", () => call("fit"));
  $("zoomSel").addEventListener("click", () => call("zoomToSelection"));
  $("undo").addEventListener("click", () => call("undo"));
  $("redo").addEventListener("click", () => call("redo"));
  $("goto-form").addEventListener("submit", (e) => { e.preventDefault(); $("goto").dataset.typing = ""; call("goTo", $("goto").value); });

  // The one import path: every file (or the pasted text) goes to Go at once.
  async function importFiles(list) {
    const files = [];
    for (const f of list) {
      try { files.push({ name: f.name, text: await f.text() }); } catch (e) { call("notify", "Cannot read " + f.name + ": " + e); }
    }
    if (files.length) call("importFiles", files);
  }
  $("import").addEventListener("change", (e) => { importFiles(Array.from(e.target.files)); e.target.value = ""; });
  // The paste box's text goes with what is gathered; an empty box adds
  // nothing (Import and Check then take the list alone).
  const boxText = () => ($("paste-text").value.trim() ? [{ name: "", text: $("paste-text").value }] : []);
  $("paste-add").addEventListener("click", () => { call("addInputs", [{ name: "", text: $("paste-text").value }]); $("paste-text").focus(); });
  $("paste-import").addEventListener("click", () => call("importPasted", boxText().length || !(last && last.board.pending.length) ? [{ name: "", text: $("paste-text").value }] : []));
  $("inputs-clear").addEventListener("click", () => call("clearInputs"));
  $("check-run").addEventListener("click", () => call("checkBoard", boxText(), { era: $("check-era").value, cmdline: $("check-cmdline").value.trim() }));
  $("check-close").addEventListener("click", () => { call("clearCheck"); $("check-run").focus(); });
  document.addEventListener("dragover", (e) => { e.preventDefault(); document.body.classList.add("dragover"); });
  document.addEventListener("dragleave", () => document.body.classList.remove("dragover"));
  document.addEventListener("drop", (e) => {
    e.preventDefault();
    document.body.classList.remove("dragover");
    if (e.dataTransfer && e.dataTransfer.files.length > 0) importFiles(Array.from(e.dataTransfer.files));
  });

  for (const kind of ["layout", "result", "ptdump", "dts"]) {
    $("export-" + kind).addEventListener("click", () => {
      const out = window.linmap.exportFile(kind);
      if (!out.error) window.linmapUI.download(new Blob([out.text], { type: out.type }), out.fileName);
    });
  }
  $("export-png").addEventListener("click", () => call("exportPNG"));
  $("copy-link").addEventListener("click", async () => {
    const out = window.linmap.shareLink();
    if (out.error) { call("notify", "Copy link: " + out.error); return; }
    const box = $("share-url");
    box.value = out.url;
    box.hidden = false;
    try {
      await navigator.clipboard.writeText(out.url);
      call("notify", "Link copied: it holds the whole layout and view (" + out.url.length + " characters) and is never sent to a server.", "copied");
    } catch (err) {
      box.focus();
      box.select();
      call("notify", "Could not copy to the clipboard (" + err.name + "): the link is selected below, press Ctrl+C.", "copied");
    }
  });

  // Gallery: presets grouped (platforms, the seed thread, oracle cases by
  // kernel), as buttons in a modal dialog.
  function fillGallery() {
    const list = $("gallery-list");
    if (list.childElementCount > 0 || !window.linmap) return;
    let group = null, ul = null;
    for (const p of window.linmap.presets()) {
      if (p.group !== group) {
        group = p.group;
        ul = el("ul", undefined, "cards");
        list.append(el("h3", group), ul);
      }
      const b = el("button", undefined, "card");
      b.type = "button";
      b.dataset.id = p.id;
      b.append(el("strong", p.name), el("span", p.description));
      b.addEventListener("click", () => { $("gallery").close(); call("loadPreset", p.id); });
      const li = el("li");
      li.append(b);
      ul.append(li);
    }
  }
  $("open-gallery").addEventListener("click", () => {
    fillGallery();
    $("gallery").showModal();
    const first = $("gallery-list").querySelector("button");
    if (first) first.focus();
  });
  $("gallery-close").addEventListener("click", () => $("gallery").close());

  // Timeline controls.
  let scrubbing = false;
  const range = $("tl-range");
  range.addEventListener("pointerdown", () => { scrubbing = true; });
  window.addEventListener("pointerup", () => { scrubbing = false; });
  range.addEventListener("input", () => call("seek", Number(range.value)));
  $("tl-start").addEventListener("click", () => call("jump", "start"));
  $("tl-end").addEventListener("click", () => call("jump", "end"));
  $("tl-fail").addEventListener("click", () => call("jump", "failure"));
  $("tl-prev").addEventListener("click", () => call("stepBy", -1));
  $("tl-next").addEventListener("click", () => call("stepBy", 1));
  $("tl-play").addEventListener("click", () => call("play", !(last && last.timeline.playing)));
  $("tl-speed").addEventListener("change", (e) => call("setSpeed", Number(e.target.value)));

  function sendCompare() {
    call("setCompare", {
      mode: $("cmp-mode").value, era: $("cmp-era").value, cmdline: $("cmp-cmdline").value.trim(),
      pageSize: $("cmp-pageSize").value, vaBits: Number($("cmp-vaBits").value),
      lpa2: $("cmp-lpa2").value, va52: $("cmp-va52").value, bbml2: $("cmp-bbml2").value, realm: $("cmp-realm").value,
    });
  }
  for (const id of ["cmp-mode", "cmp-era", "cmp-cmdline", "cmp-pageSize", "cmp-vaBits", "cmp-lpa2", "cmp-va52", "cmp-bbml2", "cmp-realm"]) $(id).addEventListener("change", sendCompare);
  $("cmp-form").addEventListener("submit", (e) => { e.preventDefault(); sendCompare(); });
  $("cmp-flip").addEventListener("click", () => call("flipAB"));

  // Keys outside the canvas: undo anywhere but in a text field; the
  // timeline's keys where they do not type or press a button.
  document.addEventListener("keydown", (e) => {
    const t = e.target;
    const typing = t instanceof HTMLTextAreaElement || (t instanceof HTMLInputElement && t.type !== "checkbox" && t.type !== "range") || t.isContentEditable;
    if ((e.ctrlKey || e.metaKey) && !e.altKey && (e.key.toLowerCase() === "z" || e.key.toLowerCase() === "y")) {
      if (typing) return;
      e.preventDefault();
      call(e.key.toLowerCase() === "y" || e.shiftKey ? "redo" : "undo");
      return;
    }
    // A control keeps its own keys (Space ticks a checkbox, presses a
    // button); the canvas gets its keys through Ebiten.
    if (t instanceof HTMLCanvasElement || e.ctrlKey || e.metaKey || e.altKey) return;
    if (t instanceof Element && t.closest("input, select, textarea, button, summary, a, dialog, [contenteditable]")) return;
    let done = true;
    switch (e.key) {
      case ",": call("stepBy", -1); break;
      case ".": call("stepBy", 1); break;
      case "f": case "F": call("jump", "failure"); break;
      case " ": call("play", !(last && last.timeline.playing)); break;
      case "Home": call("jump", "start"); break;
      case "End": call("jump", "end"); break;
      case "b": case "B": call("flipAB"); break;
      default: done = false;
    }
    if (done) e.preventDefault();
  });

  function human(n) {
    const u = ["B", "KB", "MB", "GB"];
    let i = 0;
    while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
    return n.toFixed(i ? 1 : 0) + " " + u[i];
  }

  window.linmapOnReady = () => {
    window.linmapReadyAt = performance.now(); // ms from navigation to the first frame
    $("loading").classList.add("done");
    const canvas = document.querySelector("body > canvas");
    if (!canvas) return;
    // The canvas is a control like the others: first in the tab order,
    // reached and left with Tab and Shift+Tab, with a visible focus ring.
    document.body.prepend(canvas);
    canvas.setAttribute("tabindex", "0");
    canvas.setAttribute("role", "application");
    canvas.setAttribute("aria-roledescription", "address-space view");
    canvas.setAttribute("aria-label", "Physical and virtual address spaces with the linear map between them. The panel's results say the same in words. Keys: [ ] select banks, arrows move them, + − 0 zoom.");
    canvas.setAttribute("aria-describedby", "outcome");
    // Ebiten takes every key on the canvas; Tab must move the focus as on
    // any control, so it never reaches Ebiten.
    window.addEventListener("keydown", (e) => { if (e.key === "Tab" && e.target === canvas) e.stopPropagation(); }, true);
    canvas.addEventListener("focus", () => call("focused", true));
    canvas.addEventListener("blur", () => call("focused", false));
    canvas.addEventListener("pointerenter", () => call("pointer", true));
    canvas.addEventListener("pointerleave", () => call("pointer", false));
    // The browser decides what a double-click is (the user's OS setting).
    canvas.addEventListener("dblclick", (e) => {
      const r = canvas.getBoundingClientRect();
      call("doubleClick", e.clientX - r.left, e.clientY - r.top);
    });
  };

  async function load() {
    const go = new Go();
    const resp = await fetch("main.wasm");
    if (!resp.ok) throw new Error("main.wasm: HTTP " + resp.status);
    // Count bytes as they arrive (the server may compress: no total).
    const reader = resp.body.getReader();
    const chunks = [];
    let got = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      got += value.length;
      $("loaded").textContent = human(got);
    }
    const bytes = new Uint8Array(got);
    let off = 0;
    for (const c of chunks) { bytes.set(c, off); off += c.length; }
    $("loadstate").textContent = "; starting it";
    const { instance } = await WebAssembly.instantiate(bytes, go.importObject);
    go.run(instance);
    for (const p of window.linmap.presets()) {
      const o = el("option", p.name);
      o.value = p.id;
      o.title = p.description;
      $("preset").append(o);
    }
  }
  load().catch((e) => { $("load-error").textContent = "linmap could not start: " + e; });
})();
