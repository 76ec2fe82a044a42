"""The command line as a newcomer meets it: whole help lines, honest limits, clean text."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import run_cli

SEED = ("What are the concerns of a patient remaining on opioid medication and clonazepam "
        "(Klonopin)?")


def test_help_shows_every_command_description_uncut() -> None:
    res = run_cli("--help")
    assert res.returncode == 0
    commands = res.stdout.split("Commands:")[1]
    assert "..." not in commands and "…" not in commands
    text = " ".join(commands.split())
    assert "Serve the web site and the REST API (creates the default store on first use)." \
        in text
    assert "Create the store (with the bundled starter pack unless told not to)." in text


def test_sources_says_when_it_stops_at_its_limit(pack_db: Path) -> None:
    res = run_cli("sources", "--limit", "3", db=pack_db)
    assert res.returncode == 0
    assert len(res.stdout.splitlines()) == 3
    assert "stopped at 3 sources" in res.stderr and "--limit" in res.stderr
    everything = run_cli("sources", "--limit", "100000", db=pack_db)
    assert "stopped at" not in everything.stderr


def test_text_answers_have_no_trailing_spaces_and_state_a_boxed_warning_once(
        pack_db: Path) -> None:
    for args in (("ask", SEED), ("ask", "clonazepam and oxycodone"),
                 ("ask", "--format", "markdown", SEED), ("source", "pack:research:sun-2017-bmj"),
                 ("search", "respiratory depression"), ("stats",), ("sources", "--limit", "5")):
        out = run_cli(*args, db=pack_db).stdout
        bad = [line for line in out.splitlines() if line != line.rstrip()]
        assert not bad, (args, bad[:3])
    out = run_cli("ask", "clonazepam and oxycodone", db=pack_db).stdout
    assert "BOXED WARNING" not in out
    assert re.search(r"Boxed warning \([^)]*\)", out)


def test_markdown_references_list_each_source_once(pack_db: Path) -> None:
    md = run_cli("ask", "--format", "markdown", SEED, db=pack_db).stdout
    refs = md.split("## References")[1].split("\n*")[0]
    heads = [line for line in refs.splitlines() if line.startswith("- ")]
    titles = [re.sub(r"^- (\[\d+\] )?\([^)]*\) ", "", h).split(". ")[0] for h in heads]
    assert len(titles) == len(set(titles)), titles
    numbers = [int(n) for n in re.findall(r"^\s*-? ?\[(\d+)\]", refs, re.MULTILINE)]
    assert sorted(numbers) == list(range(1, len(numbers) + 1))
