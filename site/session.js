// Never lose work, and move work in and out: the presets gallery, paste and
// drop import of any detected format, the export buttons, the share link,
// and undo/redo (buttons and Ctrl/Cmd-Z, Ctrl/Cmd-Shift-Z). Go does the
// work (window.linmap.importAny, exportFile, exportPNG, shareLink, undo,
// redo); every outcome, good or bad, is reported in the panel's one
// role="alert" element (#notice), through Go so canvas and panel agree.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }

  function notify(msg) {
    if (window.linmap && window.linmap.notify) window.linmap.notify(msg);
    else $("notice").textContent = msg;
  }

  window.linmapUI = window.linmapUI || {};

  // download saves a Blob under name; the last one is kept for the tests.
  window.linmapUI.download = (blob, name) => {
    window.linmapLastDownload = { name, type: blob.type, blob };
    const url = URL.createObjectURL(blob);
    const a = el("a");
    a.href = url;
    a.download = name;
    document.body.append(a);
    a.click();
    a.remove();
    // Revoking at once can cancel the download in some browsers.
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  };

  // Undo and redo buttons follow the history; titles name the edit.
  window.linmapUI.undoable = (u) => {
    const undo = $("undo"), redo = $("redo");
    undo.disabled = !u.canUndo;
    redo.disabled = !u.canRedo;
    undo.title = u.canUndo ? "Undo " + u.undoLabel + " (Ctrl+Z)" : "Nothing to undo";
    redo.title = u.canRedo ? "Redo " + u.redoLabel + " (Ctrl+Shift+Z)" : "Nothing to redo";
  };

  function call(name, ...args) {
    if (!window.linmap || !window.linmap[name]) return "";
    const err = window.linmap[name](...args);
    if (typeof err === "string" && err) notify(err);
    return err;
  }

  $("undo").addEventListener("click", () => call("undo"));
  $("redo").addEventListener("click", () => call("redo"));

  // Ctrl/Cmd-Z undoes a layout edit anywhere on the page except in a text
  // field, where it undoes typing as usual.
  document.addEventListener("keydown", (e) => {
    if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
    const k = e.key.toLowerCase();
    if (k !== "z" && k !== "y") return;
    const t = e.target;
    if (t instanceof HTMLTextAreaElement || (t instanceof HTMLInputElement && t.type !== "checkbox" && t.type !== "range") || t.isContentEditable) return;
    e.preventDefault();
    call(k === "y" || e.shiftKey ? "redo" : "undo");
  }, true);

  // Gallery: every preset with its one-line description, as buttons in a
  // modal dialog (Tab moves between them, Enter picks, Escape closes).
  function fillGallery() {
    const list = $("gallery-list");
    if (list.childElementCount > 0 || !window.linmap) return;
    for (const p of window.linmap.presets()) {
      const b = el("button", undefined, "card");
      b.type = "button";
      b.dataset.id = p.id;
      b.append(el("strong", p.name), el("span", p.description));
      b.addEventListener("click", () => {
        $("gallery").close();
        if (!call("loadPreset", p.id)) {
          $("preset").value = p.id;
          notify("Preset: " + p.name + ".");
        }
      });
      const li = el("li");
      li.append(b);
      list.append(li);
    }
  }
  $("open-gallery").addEventListener("click", () => {
    fillGallery();
    $("gallery").showModal();
    const first = $("gallery-list").querySelector("button");
    if (first) first.focus();
  });
  $("gallery-close").addEventListener("click", () => $("gallery").close());

  // Paste box: any format Go detects; the text stays in the box after a
  // refusal so it can be fixed at the line the message names.
  $("paste-import").addEventListener("click", () => {
    const text = $("paste-text").value;
    const msg = window.linmap ? window.linmap.importAny(text, "") : "linmap is still loading";
    if (msg && msg.startsWith("Not imported")) return; // Go has reported it
    if (msg) { notify(msg); return; }
    $("paste-text").value = "";
  });
  $("paste-file").addEventListener("change", async (e) => {
    const f = e.target.files[0];
    e.target.value = "";
    if (!f) return;
    try {
      call("importAny", await f.text(), f.name);
    } catch (err) {
      notify("Cannot read " + f.name + ": " + err);
    }
  });

  // Exports: text files from Go, the PNG from the frame Go draws next.
  for (const kind of ["result", "ptdump", "dts"]) {
    $("export-" + kind).addEventListener("click", () => {
      const out = window.linmap.exportFile(kind);
      if (out.error) { notify(out.error); return; }
      window.linmapUI.download(new Blob([out.text], { type: out.type }), out.fileName);
    });
  }
  $("export-png").addEventListener("click", () => call("exportPNG"));

  // Share: the layout and view travel in the fragment, which browsers do
  // not send to the server. The link is also shown, selectable, in case
  // the clipboard is not available (insecure context, denied permission).
  $("copy-link").addEventListener("click", async () => {
    const out = window.linmap.shareLink();
    if (out.error) { notify("Copy link: " + out.error); return; }
    const box = $("share-url");
    box.value = out.url;
    box.hidden = false;
    try {
      await navigator.clipboard.writeText(out.url);
      notify("Link copied: it holds the whole layout and view (" + out.url.length + " characters) and is never sent to a server.");
    } catch (err) {
      box.focus();
      box.select();
      notify("Could not copy to the clipboard (" + err.name + "): the link is selected below, press Ctrl+C.");
    }
  });
})();
