// The entry editor's safety net: asks before leaving with unsaved changes, and keeps
// what is typed in this browser (localStorage) so that a crash, a closed tab or a failed
// submission can be recovered. The server keeps the text of a submission made after the
// session ended; this covers the rest. Also loaded on the page a save lands on, which
// carries [data-entry-saved]: only there is a submitted text known to be saved.
(function () {
  "use strict";

  var PREFIX = "blog-editor:";
  var PENDING = "blog-editor-pending:";
  var DELAY_MS = 400;

  function storage(name) {
    try {
      var store = window[name];
      var probe = PREFIX + "probe";
      store.setItem(probe, "1");
      store.removeItem(probe);
      return store;
    } catch (error) {
      return null; // disabled, full or private mode: the editor still works
    }
  }

  function read(store, key) {
    try {
      var value = JSON.parse(store.getItem(key));
      return value && typeof value.body === "string" ? value : null;
    } catch (error) {
      return null;
    }
  }

  function write(store, key, value) {
    try {
      store.setItem(key, JSON.stringify(value));
    } catch (error) {
      // Full: the leave warning still protects the text.
    }
  }

  function pendingKeys(session) {
    var keys = [];
    for (var i = 0; i < session.length; i += 1) {
      var name = session.key(i);
      if (name && name.indexOf(PENDING) === 0) {
        keys.push(name);
      }
    }
    return keys;
  }

  var local = storage("localStorage");
  var session = storage("sessionStorage");

  if (session && document.querySelector("[data-entry-saved]")) {
    // A save succeeded: what was submitted is on the server now.
    pendingKeys(session).forEach(function (name) { session.removeItem(name); });
  }

  var form = document.querySelector("form[data-editor]");
  if (!form) {
    return;
  }
  var title = form.querySelector("[name=title]");
  var body = form.querySelector("[name=body]");
  var banner = document.querySelector("[data-editor-recovery]");
  var key = PREFIX + form.getAttribute("data-editor-key");
  var unsaved = form.hasAttribute("data-editor-unsaved");
  var submitting = false;
  var timer = null;

  function current() {
    return { title: title ? title.value : "", body: body.value, at: Date.now() };
  }

  function same(text) {
    return text.body === body.value && (text.title || "") === (title ? title.value : "");
  }

  function dirty() {
    return unsaved || body.value !== body.defaultValue ||
      (title !== null && title.value !== title.defaultValue);
  }

  function autosave() {
    if (!local) {
      return;
    }
    if (dirty()) {
      write(local, key, current());
    } else {
      local.removeItem(key);
    }
  }

  function show(text) {
    if (!banner) {
      return;
    }
    var when = banner.querySelector("[data-editor-recovery-when]");
    if (when && text.at) {
      when.textContent = "on " + new Date(text.at).toLocaleString();
    }
    banner.hidden = false;
    banner.querySelector("[data-editor-restore]").addEventListener("click", function () {
      if (title) {
        title.value = text.title || "";
      }
      body.value = text.body;
      // The live preview listens for input.
      body.dispatchEvent(new Event("input", { bubbles: true }));
      banner.hidden = true;
      autosave();
    });
    banner.querySelector("[data-editor-discard]").addEventListener("click", function () {
      local.removeItem(key);
      banner.hidden = true;
    });
  }

  if (session) {
    var pending = read(session, PENDING + key);
    session.removeItem(PENDING + key);
    // Submitted, but this editor is back without a save confirmed: keep that text.
    if (pending && local && !read(local, key)) {
      write(local, key, pending);
    }
  }

  if (local) {
    var stored = read(local, key);
    if (stored && !same(stored)) {
      show(stored);
    } else if (stored && !unsaved) {
      local.removeItem(key); // it is what the server holds
    }
    if (unsaved) {
      autosave();
    }
  }

  form.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(autosave, DELAY_MS);
  });

  form.addEventListener("submit", function () {
    submitting = true;
    window.clearTimeout(timer);
    if (session && local) {
      // Out of the way of later visits, but kept in this tab until a save is confirmed.
      write(session, PENDING + key, read(local, key) || current());
      local.removeItem(key);
    }
  });

  window.addEventListener("beforeunload", function (event) {
    if (submitting || !dirty()) {
      return undefined;
    }
    event.preventDefault();
    event.returnValue = ""; // older browsers need a value to ask
    return "";
  });

  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      submitting = false; // back from the cache after leaving: protect the text again
    }
  });
})();
