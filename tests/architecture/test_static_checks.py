"""The dead-code and type checks of `make lint` refuse what they are there to refuse."""

import shutil
import subprocess

from tests.architecture.conftest import BIN, PROJECT_ROOT

PLANTED = """

def planted_helper(value):
    return value
"""


def test_vulture_passes_the_real_tree_and_refuses_a_function_nobody_calls(scratch):
    scratch.write("pyproject.toml", (PROJECT_ROOT / "pyproject.toml").read_text())

    clean = scratch.run(str(BIN / "vulture"))
    scratch.append("contexts/blog/selectors.py", PLANTED)
    planted = scratch.run(str(BIN / "vulture"))

    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert planted.returncode != 0
    assert "contexts/blog/selectors.py" in planted.stdout
    assert "unused function 'planted_helper'" in planted.stdout


def test_mypy_holds_an_api_to_the_strict_rules_and_a_service_to_the_default(tmp_path):
    # The same unannotated function in the renderer's api and in one of its services,
    # checked in place of the real files (--shadow-file) with a copy of the cache that
    # `make lint` leaves, so that only these two modules are checked again.
    shadows = []
    for module in ("contexts/renderer/api.py", "contexts/renderer/services/excerpt.py"):
        shadow = tmp_path / module.replace("/", "_")
        shadow.write_text((PROJECT_ROOT / module).read_text() + PLANTED)
        shadows += ["--shadow-file", module, str(shadow)]
    cache = tmp_path / "mypy_cache"
    if (PROJECT_ROOT / ".mypy_cache").is_dir():
        shutil.copytree(PROJECT_ROOT / ".mypy_cache", cache)

    result = subprocess.run(
        [
            str(BIN / "mypy"), "--cache-dir", str(cache), *shadows,
            "contexts/renderer/api.py", "contexts/renderer/services/excerpt.py",
        ],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip

    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert result.returncode == 1, result.stdout + result.stderr
    assert len(errors) == 1, errors
    assert errors[0].startswith("contexts/renderer/api.py:")
    assert "[no-untyped-def]" in errors[0]
