"""Metrics of process groups: gunicorn's workers add up (multiprocess mode), and a worker
without a web server serves them on a port of its own."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from blog_project import metrics
from tests.observability.metrics import value
from tests.workers import PROJECT_ROOT


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def renderer_service(tmp_path):
    """The renderer as `make serve-context` runs it: gunicorn, two workers, its own config."""
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "PROMETHEUS_MULTIPROC_DIR", "RENDERER_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="tests.settings",
        PROCESS_ROLE="renderer",
        PROCESS_CONTEXTS="renderer",
        PORT=str(port),
        WEB_CONCURRENCY="2",
        VAR_DIR=str(tmp_path),
    )
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    log = (tmp_path / "gunicorn.log").open("wb")
    process = subprocess.Popen(
        [gunicorn, "--config", "blog_project/gunicorn_service.conf.py"],
        cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/server/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        process.terminate()
        pytest.fail((tmp_path / "gunicorn.log").read_text()[-3000:])
    yield url
    process.terminate()
    process.wait(timeout=15)
    log.close()


def test_every_gunicorn_worker_is_counted_whichever_answers_the_scrape(renderer_service):
    # The readiness probe above counts too: read the total before and after.
    before = value(
        httpx.get(f"{renderer_service}/server/metrics").text,
        "http_requests_total",
        route="/server/health",
    )
    for _ in range(40):  # a new connection each time: both workers take some
        assert httpx.get(f"{renderer_service}/server/health").status_code == 200

    scrapes = [httpx.get(f"{renderer_service}/server/metrics").text for _ in range(6)]

    totals = {value(text, "http_requests_total", route="/server/health") for text in scrapes}
    assert totals == {before + 40}


def test_a_worker_serves_its_metrics_on_a_port_of_its_own(settings):
    server = metrics.serve_in_thread("127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.server_port}"
    try:
        answer = httpx.get(f"{url}/server/metrics")
        elsewhere = httpx.get(f"{url}/admin/")
        settings.METRICS_ALLOWED_ADDRESSES = ["10.0.0.0/8"]
        refused = httpx.get(f"{url}/server/metrics")
    finally:
        server.shutdown()
        server.server_close()

    assert answer.status_code == 200
    assert "# TYPE context_api_calls_total counter" in answer.text
    assert elsewhere.status_code == 404
    assert refused.status_code == 404 and "context_api" not in refused.text


def test_a_killed_groups_metrics_directory_is_removed_by_the_next_group(monkeypatch, tmp_path):
    from blog_project import multiproc

    monkeypatch.setattr(multiproc, "VAR_DIR", tmp_path)
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    abandoned = tmp_path / "prometheus" / f"web-{dead}"
    abandoned.mkdir(parents=True)
    (abandoned / "counter_123.db").write_bytes(b"old counts")

    folder = multiproc.prepare("renderer")
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR")  # this test process stays single

    assert not abandoned.exists()
    assert Path(folder) == tmp_path / "prometheus" / f"renderer-{os.getpid()}"
    assert Path(folder).is_dir() and not list(Path(folder).iterdir())
