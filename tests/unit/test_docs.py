"""Every setting is documented; every command has help."""

from __future__ import annotations

from pathlib import Path

import click
from click.testing import CliRunner

from curbside.cli import cli
from curbside.config import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_every_setting_is_documented() -> None:
    doc = (ROOT / "docs" / "settings.md").read_text()
    missing = [name for name in Settings.model_fields if f"`{name}`" not in doc]
    assert missing == []
    assert all(f.description for f in Settings.model_fields.values())


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    for name, cmd in group.commands.items():
        out.append((*prefix, name))
        if isinstance(cmd, click.Group):
            out += _commands(cmd, (*prefix, name))
    return out


def test_every_command_has_help() -> None:
    runner = CliRunner()
    for path in [(), *_commands(cli)]:
        res = runner.invoke(cli, [*path, "--help"])
        assert res.exit_code == 0, path
        assert "Usage:" in res.output and len(res.output.splitlines()) > 3
