"""The editor's live preview script, run under Node with a stand-in DOM (skipped without Node)."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

SCRIPT = Path(settings.BASE_DIR) / "contexts" / "blog" / "static" / "blog" / "preview.js"

# A stand-in for the browser: the three elements the script looks up, fake timers and a
# fetch that records its calls and answers with `answer`.
HARNESS = r"""
const fs = require("fs");
const listeners = {};
const timers = [];
const calls = [];
const answer = JSON.parse(process.argv[2]);
const token = { value: "csrf-token-value" };
const source = {
  value: "",
  form: { querySelector: () => token },
  addEventListener: (type, fn) => { listeners[type] = fn; },
};
const pane = {
  innerHTML: '<p class="note">Press Preview</p>',
  getAttribute: (name) => (name === "data-preview-url" ? "/api/v1/render" : null),
  querySelector: () => null,
};
const status = { textContent: "" };
global.document = {
  querySelector: (selector) => ({
    "[data-preview-source]": source,
    "[data-preview-pane]": pane,
    "[data-preview-status]": status,
  })[selector] || null,
};
global.window = {
  fetch: true,
  JSON: JSON,
  setTimeout: (fn, ms) => { timers.push({ fn, ms }); return timers.length; },
  clearTimeout: (id) => { if (timers[id - 1]) timers[id - 1].fn = null; },
};
global.fetch = (url, options) => {
  calls.push({ url, options });
  return Promise.resolve({
    ok: answer.status < 400,
    status: answer.status,
    json: () => Promise.resolve(answer.body),
  });
};
eval(fs.readFileSync(process.argv[1], "utf8"));
for (const text of ["#", "# Hi", "# Hi *there*"]) {
  source.value = text;
  listeners.input();
}
const delays = timers.filter((t) => t.fn).map((t) => t.ms);
timers.filter((t) => t.fn).forEach((t) => t.fn());
setTimeout(() => {
  console.log(JSON.stringify({ delays, calls, html: pane.innerHTML, status: status.textContent }));
}, 10);
"""


def _run(answer: dict) -> dict:
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        pytest.skip("Node.js is not installed")
    result = subprocess.run(  # noqa: S603  (fixed arguments)
        [node, "-e", HARNESS, str(SCRIPT), json.dumps(answer)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def test_typing_sends_one_debounced_request_and_shows_the_returned_html():
    outcome = _run({"status": 200, "body": {"html": "<h1>Hi <em>there</em></h1>"}})

    assert outcome["delays"] == [300]
    assert len(outcome["calls"]) == 1
    call = outcome["calls"][0]
    assert call["url"] == "/api/v1/render"
    assert call["options"]["method"] == "POST"
    assert json.loads(call["options"]["body"]) == {"src": "# Hi *there*"}
    assert call["options"]["headers"]["Content-Type"] == "application/json"
    assert call["options"]["headers"]["X-CSRFToken"] == "csrf-token-value"
    assert outcome["html"] == "<h1>Hi <em>there</em></h1>"
    assert outcome["status"] == ""


def test_an_error_answer_keeps_the_old_preview_and_says_why():
    outcome = _run({"status": 413, "body": {"detail": "Source too large.", "code": "too_large"}})

    assert outcome["html"] == '<p class="note">Press Preview</p>'
    assert outcome["status"] == "Source too large."
