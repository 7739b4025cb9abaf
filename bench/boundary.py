"""Benchmark the seam between contexts: what an api call costs in-process, and over HTTP.

Run from the project root (`make bench-boundary`); it needs nothing but the project:

    .venv/bin/python bench/boundary.py

1. An api call bound in-process against calling the same function directly: a trivial
   operation (so that only the seam is measured: fault check, observers, the wrapper),
   and the renderer's plain-text operation as a real one.
2. A render of a 5 KB entry over loopback HTTP, to a renderer service started here
   (gunicorn, as `make serve-context CONTEXT=renderer` runs it), against the same render
   in-process: what splitting the renderer out costs a caller.

Each figure is the p50 and p99 of many single calls, timed one by one.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blog_project.settings")
os.environ["LOG_LEVEL"] = "WARNING"

import django  # noqa: E402

django.setup()

import random  # noqa: E402

import httpx  # noqa: E402

from bench.corpus import build_document  # noqa: E402
from bench.timing import LocalPing, PingApi, percentiles, timed  # noqa: E402
from contexts.kernel.seams import Seam  # noqa: E402
from contexts.kernel.seams.client import RemoteApi, RemoteConfig, errors_of  # noqa: E402
from contexts.renderer import api as renderer_api  # noqa: E402
from contexts.renderer import services as renderer_services  # noqa: E402

# As `make serve-context` runs a service (its gunicorn settings), with one worker.
SERVICE_CONFIG = "blog_project/gunicorn_service.conf.py"


def _row(label: str, timings: list[float], unit: str = "us") -> tuple[float, float]:
    p50, p99 = percentiles(timings)
    scale = 1000 if unit == "ms" else 1
    print(f"  {label:<46}{p50 / scale:>10.2f} {unit}{p99 / scale:>10.2f} {unit}")
    return p50, p99


def measure_in_process(rounds: int) -> float:
    seam: Seam[PingApi] = Seam("ping", PingApi)
    local = LocalPing()
    seam.bind(local, transport="inprocess")

    def through_api() -> int:
        return seam.api.ping(value=1)

    html = "<p>Some <em>rendered</em> text, a sentence or two long.</p>"
    print(f"\nIn-process api call ({rounds} calls each){'p50':>26}{'p99':>13}")
    direct_p50, _ = _row(
        "direct call, trivial operation", timed(lambda: local.ping(value=1), rounds)
    )
    api_p50, _ = _row("through the seam, trivial operation", timed(through_api, rounds))
    real_direct, _ = _row(
        "direct: renderer plain_text",
        timed(lambda: renderer_services.plain_text(html=html), rounds),
    )
    real_api, _ = _row(
        "through the seam: renderer_api.plain_text",
        timed(lambda: renderer_api.plain_text(html), rounds),
    )
    overhead = api_p50 - direct_p50
    print(
        f"  the seam adds {overhead:.2f} us at p50 "
        f"(a real operation: {real_api - real_direct:+.2f} us)"
    )
    return overhead


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _renderer_service() -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {
        **os.environ,
        "PROCESS_ROLE": "renderer",
        "PROCESS_CONTEXTS": "renderer",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
    }
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    process = subprocess.Popen(
        [gunicorn, "--config", SERVICE_CONFIG],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/server/health", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    sys.exit("the renderer service did not start")


def measure_http(rounds: int) -> float:
    # A 5 KB entry with notations, cut between two blocks.
    source = build_document(random.Random(20261203), 5120)[:5120].rsplit("\n\n", 1)[0] + "\n"
    process, url = _renderer_service()
    try:
        remote = RemoteApi(
            "renderer",
            renderer_api.RendererApi,
            RemoteConfig(base_url=url, caller="web"),
            errors_of(renderer_api),
        ).implementation()
        assert (
            remote.document_render(src=source).html
            == renderer_services.document_render(src=source).html
        )
        print(
            f"\nA render of {len(source.encode()) / 1024:.1f} KB ({rounds} calls each)"
            f"{'p50':>17}{'p99':>13}"
        )
        local_p50, _ = _row(
            "in-process",
            timed(lambda: renderer_services.document_render(src=source), rounds),
            "ms",
        )
        http_p50, http_p99 = _row(
            "over loopback HTTP (renderer service)",
            timed(lambda: remote.document_render(src=source), rounds),
            "ms",
        )
        print(f"  HTTP adds {(http_p50 - local_p50) / 1000:.2f} ms at p50")
        return http_p50 / 1000
    finally:
        process.terminate()
        process.wait(timeout=10)


def main() -> None:
    overhead = measure_in_process(200_000)
    http_p50 = measure_http(2_000)
    print(
        f"\nboundary: in-process seam +{overhead:.2f} us p50 (goal <= 5 us); "
        f"5 KB render over HTTP {http_p50:.2f} ms p50 (goal <= 2 ms)"
    )


if __name__ == "__main__":
    main()
