"""A scratch copy of the project in which a test may plant a violation."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
COPIED = ("manage.py", "blog_project", "contexts", "architecture")
BIN = Path(sys.executable).parent


class ScratchProject:
    """A copy of the code that a test can edit, and run commands in."""

    def __init__(self, root: Path):
        self.root = root

    def write(self, relative: str, text: str) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    def append(self, relative: str, text: str) -> None:
        path = self.root / relative
        path.write_text(path.read_text() + text)

    def run(self, *args: str) -> subprocess.CompletedProcess:
        env = {
            "PATH": f"{BIN}:/usr/bin:/bin",
            "PYTHONPATH": str(self.root),
            "DJANGO_SETTINGS_MODULE": "blog_project.settings",
            "VAR_DIR": str(self.root / "var"),
        }
        return subprocess.run(
            args, cwd=self.root, env=env, capture_output=True, text=True, timeout=300
        )

    def lint_imports(self) -> subprocess.CompletedProcess:
        return self.run(str(BIN / "lint-imports"), "--no-cache", "architecture/contracts.toml")

    def manage(self, *args: str) -> subprocess.CompletedProcess:
        return self.run(sys.executable, "manage.py", *args)


@pytest.fixture
def scratch(tmp_path: Path) -> ScratchProject:
    """Return a fresh copy of the project's code under a temporary folder."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in COPIED:
        source = PROJECT_ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=ignore)
        else:
            shutil.copy2(source, tmp_path / name)
    return ScratchProject(tmp_path)
