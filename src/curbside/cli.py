"""The `curbside` command line: parse, call one domain function, format. Nothing else.

Exit codes: 0 ok, 1 failure, 2 bad usage or bad input.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from curbside.config import Settings, load_settings
from curbside.errors import CurbsideError, UserError

FORMAT = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
                      show_default=True, help="Output format; json is for scripts.")


class Ctx:
    def __init__(self, db: str | None):
        self.settings: Settings = load_settings(db=db)

    def store(self):  # type: ignore[no-untyped-def]
        from curbside.store import open_store
        return open_store(self.settings)


def _json(obj: Any) -> None:
    click.echo(json.dumps(obj, indent=2, ensure_ascii=False, default=str))


def _console():  # type: ignore[no-untyped-def]
    from rich.console import Console
    return Console(highlight=False, soft_wrap=False)


class FullHelpGroup(click.Group):
    """A group whose command list shows each command's one-line description whole
    (click cuts them with "..." to fit one line; here a long one wraps instead)."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                rows.append((name, cmd.get_short_help_str(limit=10_000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=FullHelpGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", metavar="PATH", envvar="CURBSIDE_DB",
              help="Store file (default: $CURBSIDE_DB, else the per-user data directory).")
@click.version_option(package_name="curbside")
@click.pass_context
def cli(ctx: click.Context, db: str | None) -> None:
    """Curbside: answers clinical medication questions from cited, versioned evidence."""
    ctx.obj = Ctx(db)


@cli.command()
@click.option("--no-starter-pack", is_flag=True, help="Create the store without the starter pack.")
@FORMAT
@click.pass_obj
def init(obj: Ctx, no_starter_pack: bool, fmt: str) -> None:
    """Create the store (with the bundled starter pack unless told not to)."""
    from curbside.store import init_store

    existed = obj.settings.db.exists()
    store = init_store(obj.settings.db, starter_pack=not no_starter_pack,
                       busy_timeout_ms=obj.settings.busy_timeout_ms)
    stats = store.stats()
    if fmt == "json":
        _json({"created": not existed} | stats)
    else:
        verb = "exists" if existed else "created"
        click.echo(f"store {verb}: {stats['path']} ({stats['sources']} sources, "
                   f"{stats['passages']} passages, pack {stats['pack_version'] or 'not loaded'})")


@cli.command()
@click.argument("format_", metavar="FORMAT",
                type=click.Choice(["openfda", "spl", "pubmed", "guideline", "onc"]))
@click.argument("paths", nargs=-1, required=True)
@FORMAT
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Files read ahead in parallel processes while this one writes "
                   "(helps with many files; each file read ahead is held in memory).")
@click.pass_obj
def ingest(obj: Ctx, format_: str, paths: tuple[str, ...], fmt: str, quiet: bool,
           jobs: int) -> None:
    """Ingest files (paths, folders, globs; '-' for standard input) of one FORMAT."""
    import os
    import time

    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )

    from curbside.ingest import expand_paths, ingest_file, ingest_run, parse_ahead
    from curbside.sources.limits import Limits

    store = obj.store()
    limits = Limits.from_settings(obj.settings)
    seen: dict[str, str] = {}
    files = expand_paths(format_, list(paths))
    sizes = [os.path.getsize(f) if f != "-" and os.path.isfile(f) else 0 for f in files]
    results = []
    err = sys.stderr
    # Progress in bytes read (so the ETA holds across files of any size), with records/s.
    progress = Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                        TextColumn("{task.fields[records]:,} records, {task.fields[rate]} "
                                   "rec/s, file {task.fields[file]}"),
                        TextColumn("ETA"), TimeRemainingColumn(),
                        disable=quiet or fmt == "json", transient=True)
    with progress as bar, ingest_run(store) as run:
        task = bar.add_task(f"ingest {format_}", total=sum(sizes) or None, records=0,
                            rate="-", file=f"0/{len(files)}")
        count, start, done = [0], time.perf_counter(), [0]

        def tick() -> None:
            count[0] += 1
            if count[0] % 200 == 0:
                rate = count[0] / max(time.perf_counter() - start, 1e-6)
                bar.update(task, records=count[0], rate=f"{rate:,.0f}")

        def at(pos: int) -> None:
            bar.update(task, completed=done[0] + pos)

        for i, (path, parsed) in enumerate(parse_ahead(format_, files, jobs, limits)):
            bar.update(task, file=f"{i + 1}/{len(files)}")
            res = ingest_file(store, format_, path, tick, run=run, on_bytes=at, parsed=parsed,
                              limits=limits, seen=seen)
            results.append(res)
            done[0] += sizes[i]
            bar.update(task, completed=done[0], records=count[0])
            if res.error:
                click.echo(f"error: {res.error}", err=True)
    warnings = [w for r in results for w in r.warnings]
    for w in warnings[:5]:
        click.echo(f"warning: {w}", err=True)
    if len(warnings) > 5:
        click.echo(f"warning: … and {len(warnings) - 5} more like these", err=True)
    keys = ("records", "added", "updated", "unchanged", "deleted")
    totals = {k: sum(getattr(r, k) for r in results) for k in keys}
    failed = [r for r in results if r.error]
    superseded = sum(len(r.superseded) for r in results)
    redone = sorted({a for r in results for a in r.articles_redone})
    if fmt == "json":
        _json({"format": format_, "files": len(results), "failed_files": len(failed),
               "ingested_files": len(results) - len(failed),
               "superseded": superseded, "warnings": len(warnings), **totals,
               "errors": [r.error for r in failed], "articles_redone": redone})
    else:
        click.echo(f"{format_}: {len(results) - len(failed)} file(s) ingested, {len(failed)} "
                   f"refused; {totals['records']} records: "
                   f"{totals['added']} added, {totals['updated']} updated, "
                   f"{totals['unchanged']} unchanged, {totals['deleted']} deleted, "
                   f"{superseded} superseded", file=err)
        if redone:
            click.echo(f"{len(redone)} article(s) citing superseded sources regenerated and "
                       f"sent back to review", file=err)
    if failed:
        sys.exit(2)


@cli.command()
@click.argument("text")
@click.option("--tier", type=click.Choice(["guideline", "label", "research", "regulatory"]))
@click.option("--drug", "drug", metavar="NAME", help="Only sources about this drug (any name).")
@click.option("--section", metavar="S", help="Only this section (e.g. boxed_warning).")
@click.option("--status", type=click.Choice(["current", "superseded"]))
@click.option("--limit", type=click.IntRange(1, 1000),
              help="How many results (default: the search_limit setting, 10).")
@FORMAT
@click.pass_obj
def search(obj: Ctx, text: str, tier: str | None, drug: str | None, section: str | None,
           status: str | None, limit: int | None, fmt: str) -> None:
    """Full-text search over stored passages, best first (BM25)."""
    from curbside.search.service import search_passages

    hits = search_passages(obj.store(), text, tier=tier, drug=drug, section=section,
                           status=status, limit=limit or obj.settings.search_limit)
    if fmt == "json":
        _json({"query": text, "results": [h.as_dict() for h in hits]})
        return
    from curbside.answer.render import strip_trailing

    con = _console()
    with con.capture() as cap:  # rich pads wrapped lines with spaces: strip them after
        if not hits:
            con.print("no results")
        for i, h in enumerate(hits, 1):
            flag = "" if h.status == "current" else f" [{h.status}]"
            con.print(f"[bold]{i}. {h.source_title}[/bold]{flag}  "
                      f"({h.tier}, {h.title or h.section})", markup=True)
            con.print(f"   {h.snippet}", markup=False)
    con.file.write(strip_trailing(cap.get()))


@cli.command()
@click.option("--tier", type=click.Choice(["guideline", "label", "research", "regulatory"]))
@click.option("--status", type=click.Choice(["current", "superseded"]))
@click.option("--limit", type=click.IntRange(1, 100000), default=200, show_default=True,
              help="Show at most this many.")
@FORMAT
@click.pass_obj
def sources(obj: Ctx, tier: str | None, status: str | None, limit: int, fmt: str) -> None:
    """List stored sources (says so when it stops at --limit)."""
    rows = obj.store().list_sources(tier=tier, status=status, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    if fmt == "json":
        _json({"sources": rows, "truncated": more})
        return
    for r in rows:
        flag = "" if r["status"] == "current" else f"  [superseded by {r['superseded_by']}]"
        click.echo(f"{r['id']}\t{r['tier']}\t{r['title']}{flag}".rstrip())
    if more:
        click.echo(f"stopped at {limit} sources; there are more: pass --limit {limit * 5} "
                   f"(or --tier / --status to narrow the list)", err=True)


@cli.command()
@click.argument("source_id")
@FORMAT
@click.pass_obj
def source(obj: Ctx, source_id: str, fmt: str) -> None:
    """Show one source: metadata, sections and versions."""
    s = obj.store().get_source(source_id)
    if fmt == "json":
        _json(s)
        return
    click.echo(f"{s['title']}\n  id: {s['id']}\n  tier: {s['tier']}  status: {s['status']}"
               + (f" (superseded by {s['superseded_by']})" if s["superseded_by"] else ""))
    for k in ("issuer", "year", "effective", "url"):
        if s.get(k):
            click.echo(f"  {k}: {s[k]}")
    for k, v in s["identifiers"].items():
        click.echo(f"  {k}: {v}")
    click.echo("  versions: " + ", ".join(f"{v['id']} ({v['status']})" for v in s["versions"]))
    click.echo("  sections:")
    for p in s["passages"]:
        click.echo(f"    - {p['title'] or p['section']} ({len(p['text'])} chars)")


@cli.command()
@FORMAT
@click.pass_obj
def stats(obj: Ctx, fmt: str) -> None:
    """Counts of what the store holds, and the pack version."""
    st = obj.store().stats()
    if fmt == "json":
        _json(st)
        return
    click.echo(f"store: {st['path']} (schema {st['schema_version']}, "
               f"{st['size_bytes'] / 1e6:.1f} MB)\nstarter pack: {st['pack_version'] or 'none'}\n"
               f"sources: {st['sources']}  passages: {st['passages']}  drugs: {st['drugs']}  "
               f"interaction rules: {st['interaction_rules']}")
    for tier, v in sorted(st["by_tier"].items()):
        click.echo(f"  {tier}: {v['sources']} ({v['current']} current)")


# A question may start with "-" ("-5 mg?"): unknown options are read as the question.
@cli.command(context_settings={"ignore_unknown_options": True})
@click.argument("question")
@click.option("--audience", type=click.Choice(["clinician", "pharmacist", "nurse", "student",
                                               "patient"]), default="clinician", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json", "html"]),
              default="text", show_default=True, help="json is the curbside.answer/1 contract.")
@click.pass_obj
def ask(obj: Ctx, question: str, audience: str, fmt: str) -> None:
    """Answer a clinical question with tiered, cited evidence.

    A question that starts with "-" works as it is; `curbside ask -- "QUESTION"` also
    ends the options explicitly.
    """
    from curbside.answer.engine import answer_question

    ans = answer_question(obj.store(), question, audience=audience,
                          max_chars=obj.settings.max_question_chars)
    if fmt == "json":
        _json(ans)
    else:
        from curbside.answer import render
        if fmt == "text":
            render.to_console(ans, _console())
        else:
            click.echo(render.to_markdown(ans) if fmt == "markdown" else render.to_html(ans))


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--quiet", "-q", is_flag=True,
              help="No request log (by default one line per request on standard error).")
@click.pass_obj
def serve(obj: Ctx, host: str, port: int, quiet: bool) -> None:
    """Serve the web site and the REST API (creates the default store on first use)."""
    from curbside.web.server import serve as run_server

    run_server(obj.settings, host=host, port=port, announce=click.echo, quiet=quiet)


@cli.group(cls=FullHelpGroup)
def pack() -> None:
    """The bundled starter knowledge pack."""


@pack.command("validate")
@click.option("--onc", metavar="CSV",
              help="ONC high-priority list (mapped CSV): check the pack answers every pair.")
@click.option("--questions", metavar="JSONL", help="Question set whose drugs must be covered.")
@FORMAT
def pack_validate(onc: str | None, questions: str | None, fmt: str) -> None:
    """Check the pack: schema, ids, references, provenance, coverage."""
    from curbside.knowledge.validate import validate_pack

    report = validate_pack(onc_csv=onc, questions=questions)
    if fmt == "json":
        _json(report)
    else:
        for p in report["problems"]:
            click.echo(f"problem: {p}")
        if report.get("coverage"):
            click.echo(f"coverage: {report['coverage']}")
        click.echo(f"pack {report['version']}: {report['counts']} — "
                   f"{len(report['problems'])} problem(s)")
    if report["problems"]:
        sys.exit(2)


def _reviewable(obj: Ctx):  # type: ignore[no-untyped-def]
    """The store, if its audit trail is protected (StoreError, exit 1, otherwise)."""
    from curbside.review.audit import require_intact

    store = obj.store()
    require_intact(store)
    return store


@cli.group(cls=FullHelpGroup)
def index() -> None:
    """The search index beside the store (tantivy): check it, rebuild it."""


@index.command("check")
@FORMAT
@click.pass_obj
def index_check(obj: Ctx, fmt: str) -> None:
    """Compare the index with the store; exit 1 if they differ."""
    store = obj.store()
    store.catch_up_index()
    report = store.check_index()
    if fmt == "json":
        _json(report)
    else:
        click.echo(f"index {'ok' if report['ok'] else 'DIFFERS'}: {report['passages_index']} "
                   f"of {report['passages_store']} passages, {report['documents_index']} of "
                   f"{report['documents_store']} documents, {len(report['missing'])} missing, "
                   f"{len(report['extra'])} extra, {report['pending']} outbox rows pending")
    if not report["ok"]:
        sys.exit(1)


@index.command("rebuild")
@FORMAT
@click.pass_obj
def index_rebuild(obj: Ctx, fmt: str) -> None:
    """Rebuild the index from the store (the store is the source of truth)."""
    n = obj.store().rebuild_index()
    if fmt == "json":
        _json({"passages": n})
    else:
        click.echo(f"index rebuilt: {n} passages")


@cli.group(cls=FullHelpGroup)
def user() -> None:
    """Accounts of the Medical Advisory Board (admins, editors, reviewers)."""


def _read_password() -> str:
    """The password from standard input (one line; there is no default password)."""
    stream = sys.stdin
    if stream is None or stream.isatty():
        raise UserError("--password-stdin reads the password from standard input; pipe it in")
    password = stream.readline().rstrip("\r\n")
    if not password:
        raise UserError("no password on standard input")
    return password


@user.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "editor", "reviewer"]), required=True)
@click.option("--display-name", required=True, help="Shown on approvals, e.g. 'Dr. A. Smith'.")
@click.option("--credentials", default=None, help="Shown after the name, e.g. 'PharmD'.")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from standard input (required: no default password).")
@FORMAT
@click.pass_obj
def user_add(obj: Ctx, username: str, role: str, display_name: str, credentials: str | None,
             password_stdin: bool, fmt: str) -> None:
    """Add an account (the first admin is made here)."""
    from curbside.review.accounts import create_user

    if not password_stdin:
        raise UserError("pass --password-stdin and pipe the password in (there is no "
                        "default password)")
    u = create_user(_reviewable(obj), username, role=role, display_name=display_name,
                    credentials=credentials, password=_read_password())
    if fmt == "json":
        _json(u)
    else:
        click.echo(f"added {u['username']} ({u['role']}): {u['display_name']}")


@user.command("list")
@FORMAT
@click.pass_obj
def user_list(obj: Ctx, fmt: str) -> None:
    """List accounts (never their passwords), with failed sign-ins of the last 24 hours."""
    from curbside.review.accounts import list_users, recent_failures

    store = obj.store()
    users = list_users(store)
    failures = recent_failures(store)
    for u in users:
        u["recent_failures"] = failures.pop(u["username"].lower(), None)
    if fmt == "json":
        _json({"users": users, "unknown_names_tried": failures})
        return
    for u in users:
        flag = "  [disabled]" if u["disabled"] else ""
        creds = f", {u['credentials']}" if u["credentials"] else ""
        fail = u["recent_failures"]
        note = (f"  [{fail['failures']} failed sign-in(s) in 24 h from {fail['clients']} "
                f"address(es), last {fail['last']}]") if fail else ""
        click.echo(f"{u['username']}\t{u['role']}\t{u['display_name']}{creds}{flag}{note}")
    if failures:
        total = sum(f["failures"] for f in failures.values())
        click.echo(f"{total} failed sign-in(s) in 24 h with {len(failures)} name(s) that are "
                   "not accounts")


@user.command("disable")
@click.argument("username")
@click.pass_obj
def user_disable(obj: Ctx, username: str) -> None:
    """Disable an account and sign it out everywhere (its history stays)."""
    from curbside.review.accounts import disable_user

    disable_user(_reviewable(obj), username)
    click.echo(f"disabled {username}; its sessions are ended")


@user.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True,
              help="Read the new password from standard input.")
@click.pass_obj
def user_set_password(obj: Ctx, username: str, password_stdin: bool) -> None:
    """Change a password; every session of the account is ended."""
    from curbside.review.accounts import set_password

    if not password_stdin:
        raise UserError("pass --password-stdin and pipe the password in (there is no "
                        "default password)")
    set_password(_reviewable(obj), username, _read_password())
    click.echo(f"password changed for {username}; all its sessions are ended")


@cli.group(cls=FullHelpGroup)
def audit() -> None:
    """The tamper-evident audit trail of the review workflow."""


@audit.command("verify")
@click.option("--anchor", metavar="HASH", help="A head hash kept earlier (in a backup or a "
              "log): it must still be in the chain.")
@FORMAT
@click.pass_obj
def audit_verify(obj: Ctx, anchor: str | None, fmt: str) -> None:
    """Check the hash chain and the protective triggers; exit 1 naming the first bad row."""
    from curbside.review.audit import verify

    verdict = verify(obj.store(), anchor=anchor)
    if fmt == "json":
        _json({"ok": verdict.ok, "rows": verdict.rows, "head": verdict.head,
               "problems": verdict.problems})
    else:
        for p in verdict.problems:
            click.echo(f"problem: {p}", err=True)
        state = "intact" if verdict.ok else "NOT intact"
        click.echo(f"audit trail {state}: {verdict.rows} rows, head {verdict.head}")
    if not verdict.ok:
        sys.exit(1)


@audit.command("restore-triggers")
@click.pass_obj
def audit_restore(obj: Ctx) -> None:
    """Re-create missing protective triggers (then run `audit verify`)."""
    from curbside.review.audit import restore_triggers

    restored = restore_triggers(obj.store())
    click.echo(f"restored: {', '.join(restored)}" if restored else "all triggers are present")


def main() -> None:
    """Entry point: turns Curbside's errors into one line and an exit code."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except CurbsideError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    sys.exit(0)
