"""`manage.py faults`: inject, show and clear faults at run time, as split.md names them."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from contexts.kernel.seams import faults


@pytest.fixture(autouse=True)
def _file_store(settings, tmp_path):
    settings.CACHE_URL = ""
    settings.VAR_DIR = tmp_path


def run(*args: str) -> str:
    out = StringIO()
    call_command("faults", *args, stdout=out)
    return out.getvalue()


def test_set_show_and_clear_an_abort_and_a_delay():
    assert run("set", "renderer", "abort=503", "percent=50") == (
        "renderer: 50% of calls fail with 503\n"
    )
    run("set", "accounts", "delay=5", "percent=100")

    shown = run("show")
    assert "renderer: 50% of calls fail with 503" in shown
    assert "accounts: 100% wait 5 s" in shown
    assert faults.stored()["renderer"] == faults.Fault(abort_percent=50, abort_status=503)

    run("clear", "renderer")
    assert "renderer" not in run("show")
    run("clear")
    assert run("show") == "No fault is injected.\n"


def test_clear_also_stops_faults_the_environment_injects(settings):
    settings.CONTEXT_FAULTS = {"renderer": {"abort_percent": 100}}
    assert "renderer: 100% of calls fail with 503" in run("show")

    run("clear", "renderer")

    assert run("show") == "No fault is injected.\n"


@pytest.mark.parametrize(
    ("words", "message"),
    [
        (["percent=50"], "abort=<status> and/or delay=<seconds>"),
        (["abort=503", "percent=150"], "between 0 and 100"),
        (["abort=42"], "HTTP status"),
        (["colour=red"], "key=value"),
        (["abort=soon"], "not a number"),
    ],
)
def test_a_fault_that_makes_no_sense_is_refused_with_the_reason(words, message):
    with pytest.raises(CommandError, match=message):
        run("set", "renderer", *words)
