"""Shared fixtures: real stores in temp folders, the shared data folder, the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from curbside.store import init_store
from curbside.store.sqlite import Store

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SHARED_DATA = SHARED / "data"
FIXTURES = ROOT / "tests" / "fixtures"


def shared(*parts: str) -> Path:
    """A path under ../shared/data; the test is skipped, saying why, when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"../shared/data absent ({path.name} not found)")
    return path


@pytest.fixture(scope="session")
def pack_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store file made with the starter pack, built once per session."""
    path = tmp_path_factory.mktemp("pack") / "pack.db"
    init_store(path).close()
    return path


@pytest.fixture(scope="session")
def pack_store(pack_db: Path) -> Store:
    return Store(pack_db)


@pytest.fixture
def empty_store(tmp_path: Path) -> Store:
    return init_store(tmp_path / "empty.db", starter_pack=False)


def run_cli(*args: str, db: Path | None = None, stdin: str | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `curbside` as a user would, in a new process; returns the completed process."""
    full_env = {**os.environ, **(env or {})}
    cmd = [sys.executable, "-m", "curbside"] + (["--db", str(db)] if db else []) + list(args)
    return subprocess.run(cmd, capture_output=True, text=True, input=stdin, env=full_env,
                          timeout=300)
