// Live preview of the entry editor: posts the body to the render API (debounced) and
// shows the returned HTML, which the server has already sanitized. Without JavaScript
// the form's Preview button does the same on the server.
(function () {
  "use strict";

  var DELAY_MS = 300;
  var source = document.querySelector("[data-preview-source]");
  var pane = document.querySelector("[data-preview-pane]");
  var status = document.querySelector("[data-preview-status]");
  if (!source || !pane || !window.fetch || !window.JSON) {
    return;
  }
  var url = pane.getAttribute("data-preview-url");
  var tokenInput = source.form && source.form.querySelector("input[name=csrfmiddlewaretoken]");
  var timer = null;
  var latest = 0;

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function errorText(response, data) {
    if (data && data.detail) {
      return data.detail;
    }
    if (data && data.src && data.src.length) {
      return data.src[0];
    }
    return "Preview failed (" + response.status + ").";
  }

  function refresh() {
    var sequence = ++latest;
    say("updating…");
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": tokenInput ? tokenInput.value : ""
      },
      body: JSON.stringify({ src: source.value })
    })
      .then(function (response) {
        return response.json().then(
          function (data) { return { response: response, data: data }; },
          function () { return { response: response, data: null }; }
        );
      })
      .then(function (result) {
        if (sequence !== latest) {
          return; // a newer request is on its way; its answer wins
        }
        if (result.response.ok && result.data && typeof result.data.html === "string") {
          pane.innerHTML = result.data.html;
          say("");
        } else {
          say(errorText(result.response, result.data));
        }
      })
      .catch(function () {
        if (sequence === latest) {
          say("preview unavailable");
        }
      });
  }

  source.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, DELAY_MS);
  });

  if (source.value && !pane.querySelector(":not(.note)")) {
    refresh();
  }
})();
