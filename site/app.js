// linmap's page script: loads the wasm with a progress display, renders the
// HTML panel from what Go sends (window.linmapUI.render), and forwards the
// controls, import and export to Go (window.linmap). All 64-bit numbers
// arrive as strings.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  let lastPanel = null;

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }

  // setOptions replaces a select's options only when they changed, and never
  // while the user has it open.
  function setOptions(sel, items, value) {
    const key = JSON.stringify(items);
    if (sel.dataset.key !== key) {
      sel.replaceChildren(...items.map(([v, label]) => {
        const o = el("option", label);
        o.value = String(v);
        return o;
      }));
      sel.dataset.key = key;
    }
    if (document.activeElement !== sel) sel.value = String(value);
  }

  function setValue(input, value) {
    if (document.activeElement === input) return;
    if (input.type === "checkbox") input.checked = !!value;
    else input.value = value;
  }

  function dl(pairs) {
    const d = el("dl");
    for (const [k, v] of pairs) {
      if (v === undefined || v === "") continue;
      d.append(el("dt", k), el("dd", v));
    }
    return d;
  }

  function table(head, rows) {
    const t = el("table");
    const tr = el("tr");
    for (const h of head) tr.append(el("th", h));
    t.append(tr);
    for (const r of rows) {
      const row = el("tr");
      r.forEach((c, i) => row.append(el("td", c, i > 0 ? "num" : "")));
      t.append(row);
    }
    return t;
  }

  // outcome is the one-line summary a screen reader announces; the full
  // results table changes on every drag step and is not a live region.
  function outcome(p) {
    if (p.runError) return "The engine refused this layout: " + p.runError;
    const r = p.results;
    if (!r) return "";
    if (r.fatal) return "Kernel panic: " + r.fatal;
    return "Boots: " + r.mapped.human + " mapped, " + r.tlbEntries + " TLB entries, " +
      r.tableBytes.human + " of page tables, " + r.lostTotal.human + " lost.";
  }

  function renderResults(p) {
    const box = $("results");
    const line = outcome(p);
    if ($("outcome").textContent !== line) $("outcome").textContent = line;
    const parts = [el("h2", "Results")];
    if (p.runError) {
      parts.push(el("p", "The engine refused this layout: " + p.runError, "fatal"));
    }
    const r = p.results;
    if (r) {
      if (r.fatal) parts.push(el("p", "Kernel panic: " + r.fatal, "fatal"));
      parts.push(dl([
        ["era", r.eraLabel + (r.eraNote ? " — " + r.eraNote : "")],
        ["page size", r.pageSize],
        ["VA_BITS", r.vaBits],
        ["levels", r.levels],
        ["PHYS_OFFSET", r.physOffset],
        ["PAGE_OFFSET", r.pageOffset],
        ["linear region", r.linear],
        ["kernel image", r.kernelImage],
        ["mapped", r.mapped.human + " (" + r.mapped.hex + ")"],
        ["TLB entries", r.tlbEntries],
      ]));
      parts.push(el("h2", "Bytes mapped per leaf size"));
      parts.push(table(["leaf", "bytes", "size"], (r.byPage || []).map((a) => [a.key, a.hex, a.human])));
      parts.push(el("h2", "Page-table pages"));
      const rows = (r.tables || []).map((t) => [t.level, t.pages, t.bytes]);
      rows.push(["total", "", r.tableBytes.human]);
      parts.push(table(["level", "pages", "bytes"], rows));
      parts.push(el("h2", "Lost memory"));
      const lost = (r.lost || []).map((a) => [a.key, a.hex, a.human]);
      if (lost.length === 0) parts.push(el("p", "none"));
      else {
        lost.push(["total", r.lostTotal.hex, r.lostTotal.human]);
        parts.push(table(["reason", "bytes", "size"], lost));
      }
      parts.push(el("h2", "Warnings"));
      const w = r.warnings || [];
      if (w.length === 0) parts.push(el("p", "none"));
      else {
        const ul = el("ul");
        for (const s of w) ul.append(el("li", s, "warn"));
        parts.push(ul);
      }
    }
    box.replaceChildren(...parts);
  }

  // Go calls render from its game loop, possibly several times a frame while
  // dragging; the DOM is updated once per animation frame with the latest.
  let renderQueued = false;
  window.linmapUI = {
    render(p) {
      lastPanel = p;
      if (renderQueued) return;
      renderQueued = true;
      requestAnimationFrame(() => {
        renderQueued = false;
        renderPanel(lastPanel);
      });
    },
  };

  function renderPanel(p) {
    {
      const c = p.controls;
      setOptions($("era"), p.eras.map((e) => [e.id, e.label + (e.note ? " *" : "")]), c.era);
      const era = p.eras.find((e) => e.id === c.era);
      $("era-summary").textContent = era ? era.summary + (era.note ? " (" + era.note + ")" : "") : "";
      setOptions($("pageSize"), (p.pageSizes || []).map((s) => [s, s]), c.pageSize);
      setOptions($("vaBits"), (p.vaBits || []).map((v) => [v, String(v)]), c.vaBits);
      setValue($("cmdline"), c.cmdline);
      setValue($("va52"), c.va52);
      setValue($("lpa2"), c.lpa2);
      setValue($("bbml2"), c.bbml2);
      setValue($("paBits"), String(c.paBits));
      setValue($("name"), c.name);
      $("notice").textContent = p.notice || "";
      $("selected").textContent = p.selected ? "Selected: " + p.selected : "";
      $("zoomSel").disabled = !p.selected;
      renderResults(p);
    }
  }

  function say(msg) { $("notice").textContent = msg; }

  function sendControls() {
    if (!window.linmap) return;
    const err = window.linmap.setControls({
      era: $("era").value,
      pageSize: $("pageSize").value,
      vaBits: Number($("vaBits").value),
      cmdline: $("cmdline").value,
      va52: $("va52").checked,
      lpa2: $("lpa2").checked,
      bbml2: $("bbml2").checked,
      paBits: Number($("paBits").value),
      name: $("name").value,
    });
    if (err) say(err);
  }

  for (const id of ["era", "pageSize", "vaBits", "va52", "lpa2", "bbml2", "paBits", "cmdline", "name"]) {
    $(id).addEventListener("change", sendControls);
  }
  $("preset").addEventListener("change", (e) => {
    const opt = e.target.selectedOptions[0];
    $("preset-description").textContent = opt && opt.value ? opt.title : "";
    if (!e.target.value) return;
    const err = window.linmap.loadPreset(e.target.value);
    if (err) say(err);
  });
  $("controls").addEventListener("submit", (e) => { e.preventDefault(); sendControls(); });
  $("fit").addEventListener("click", () => window.linmap && window.linmap.fit());
  $("zoomSel").addEventListener("click", () => window.linmap && window.linmap.zoomToSelection());

  $("export").addEventListener("click", () => {
    const out = window.linmap.exportLayout();
    if (out.error) { say("Export failed: " + out.error); return; }
    const url = URL.createObjectURL(new Blob([out.json], { type: "application/json" }));
    const a = el("a");
    a.href = url;
    a.download = out.fileName;
    document.body.append(a);
    a.click();
    a.remove();
    // Revoking at once can cancel the download in some browsers.
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  });

  async function importFile(file) {
    if (!file) return;
    let text;
    try {
      text = await file.text();
    } catch (e) {
      say("Cannot read " + file.name + ": " + e);
      return;
    }
    // Go reports the outcome in the notice (canvas and panel alike).
    const err = window.linmap.importText(text, file.name);
    if (err) say(err);
  }
  $("import").addEventListener("change", (e) => {
    importFile(e.target.files[0]);
    e.target.value = "";
  });
  document.addEventListener("dragover", (e) => { e.preventDefault(); document.body.classList.add("dragover"); });
  document.addEventListener("dragleave", () => document.body.classList.remove("dragover"));
  document.addEventListener("drop", (e) => {
    e.preventDefault();
    document.body.classList.remove("dragover");
    if (e.dataTransfer && e.dataTransfer.files.length > 0) importFile(e.dataTransfer.files[0]);
  });

  // Ebiten keeps keyboard focus in the canvas (it swallows Tab); Escape with
  // nothing selected hands focus back to the panel.
  window.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && e.target instanceof HTMLCanvasElement && lastPanel && !lastPanel.selected) {
      $("era").focus();
    }
  }, true);

  function human(n) {
    const u = ["B", "KB", "MB", "GB"];
    let i = 0;
    while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
    return n.toFixed(i ? 1 : 0) + " " + u[i];
  }

  window.linmapOnReady = () => {
    // Milliseconds from navigation to the first frame, for BENCHMARKS.md.
    window.linmapReadyAt = performance.now();
    $("loading").classList.add("done");
    const canvas = document.querySelector("body > canvas");
    if (canvas) {
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label", "Physical and virtual address spaces with the linear map between them; the panel beside it lists the same results.");
      // The browser decides what a double-click is (the user's OS setting),
      // not a count of frames, which slow renderers would stretch.
      canvas.addEventListener("dblclick", (e) => {
        const r = canvas.getBoundingClientRect();
        window.linmap.doubleClick(e.clientX - r.left, e.clientY - r.top);
      });
    }
  };

  async function load() {
    const go = new Go();
    const resp = await fetch("main.wasm");
    if (!resp.ok) throw new Error("main.wasm: HTTP " + resp.status);
    // Count bytes as they arrive; the body is already decompressed, so the
    // total is unknown when the server compresses it.
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
    $("loaded").textContent = human(got) + " — starting";
    const { instance } = await WebAssembly.instantiate(bytes, go.importObject);
    go.run(instance);
    // Go has installed window.linmap by the time run yields.
    for (const p of window.linmap.presets()) {
      const o = el("option", p.name);
      o.value = p.id;
      o.title = p.description;
      $("preset").append(o);
    }
  }
  load().catch((e) => { $("load-error").textContent = "linmap could not start: " + e; });
})();
