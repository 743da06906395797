"""The ``lif`` command line. Each command builds its process from ``Config.from_env()`` with ``boot`` (the one
composition root, shared with ``create_app``), so every command runs steps under the configured limits."""
from __future__ import annotations

import logging
import os
import secrets
import sys
from datetime import datetime
from pathlib import Path
from typing import NoReturn

import click

from engine import clock
from engine.bundles import definitions, message_owners
from engine.config import Config
from engine.errors import InvalidData, LifError
from engine.people import accounts
from engine.store.db import unreachable, unreachable_reason
from engine.store.schema import upgrade_schema

from .boot import boot
from .cli_backup import backup, restore
from .context import LifContext
from .ops import logs


def _boot() -> LifContext:
    """This command's process, wired from the environment once; the error handler reads its configuration."""
    wired = boot(Config.from_env())
    context = click.get_current_context(silent=True)  # None when called as a function (`make run`)
    if context is not None:
        context.meta["lif.config"] = wired.config
    return wired


class LifGroup(click.Group):
    """Every command's errors, in one place: an engine error is its message on one line of stderr (its details
    indented below) and exit status 1; a database that cannot be reached is one line saying so. Never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            if unreachable(exc):
                config = ctx.meta.get("lif.config")  # set by _boot before any database is touched
                _exit_with(f"lif: {unreachable_reason(config.database_url if config else 'the database', exc)}")
            if isinstance(exc, LifError):
                _exit_with(f"error: {exc.message}", *(f"  {detail}" for detail in exc.details or []))
            if isinstance(exc, (click.ClickException, click.exceptions.Exit, click.exceptions.Abort)):
                raise
            # anything else: where it happened goes to the log through LIF's formatter, which leaves out the
            # exception's message (a database error's carries its SQL parameters: names, answers); Python's own
            # traceback would print it whole
            logging.getLogger("lif").error("lif %s failed unexpectedly", ctx.invoked_subcommand, exc_info=exc)
            _exit_with(f"error: lif {ctx.invoked_subcommand} failed unexpectedly ({type(exc).__name__}); "
                       "the lines above say where")


def _exit_with(*lines: str) -> NoReturn:
    for line in lines:
        click.echo(line, err=True)
    sys.exit(1)


@click.group(cls=LifGroup)
@click.option("-v", "--verbose", is_flag=True, help="Log at debug level.")
def main(verbose: bool) -> None:
    """LIF: learning and improvement workflows for safeguarding children partnerships."""
    logs.configure(verbose)  # LIF_LOG_FORMAT: text or json; a request id on every line


@main.command()
def init() -> None:
    """Create or upgrade the database and deploy every bundle in workflows/."""
    lif = _boot()
    click.echo(upgrade_schema(lif.engine))
    if not lif.config.workflows_dir.is_dir():
        click.echo(f"no workflows folder at {lif.config.workflows_dir}; nothing deployed")
        return
    with lif.unit_of_work() as session:
        results = definitions.deploy_all(session, lif.config.workflows_dir, actor="lif init", now=clock.now())
    for info, created in results:
        click.echo(f"{info.key}: version {info.version} {'deployed' if created else 'unchanged'}")


@main.command()
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
def deploy(path: Path) -> None:
    """Deploy one bundle folder."""
    with _boot().unit_of_work() as session:
        info, created = definitions.deploy_directory(session, path, actor="lif deploy", now=clock.now())
    click.echo(f"{info.key}: version {info.version} {'deployed' if created else 'unchanged (identical files)'}")


@main.group()
def user() -> None:
    """Manage users."""


@user.command("add")
@click.argument("name")
@click.option("--role", "roles", multiple=True, required=True, help="coordinator, chair, reviewer, designer, admin")
@click.option("--agency", default=None, help="The agency key.")
@click.option("--email", default=None)
@click.option("--password", default=None, help="Generated and printed when not given.")
@click.option("--full-name", default="", help="The name shown in the app.")
def user_add(name: str, roles: tuple[str, ...], agency: str | None, email: str | None, password: str | None,
             full_name: str) -> None:
    """Add a user."""
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    with _boot().unit_of_work() as session:
        accounts.add_user(session, name, roles=list(roles), agency_key=agency, email=email, password=password,
                          full_name=full_name, actor="lif user add", now=clock.now())
    click.echo(f"user {name} added" + (f" with password {password}" if generated else ""))


@main.group()
def agency() -> None:
    """Manage agencies."""


@agency.command("add")
@click.argument("key")
@click.argument("name")
def agency_add(key: str, name: str) -> None:
    """Add an agency."""
    with _boot().unit_of_work() as session:
        accounts.add_agency(session, key, name, actor="lif agency add", now=clock.now())
    click.echo(f"agency {key} added")


@agency.command("lead")
@click.argument("key")
@click.argument("username", required=False)
def agency_lead(key: str, username: str | None) -> None:
    """Set (or, without USERNAME, clear) the agency's senior lead, who receives escalations."""
    with _boot().unit_of_work() as session:
        accounts.set_senior_lead(session, key, username, actor="lif agency lead", now=clock.now())
    click.echo(f"agency {key}: senior lead {username or 'cleared'}")


@agency.command("partner")
@click.argument("key")
@click.argument("kind", type=click.Choice(["la", "icb", "police", "none"]))
def agency_partner(key: str, kind: str) -> None:
    """Mark the agency as a statutory safeguarding partner: the local authority (la), the integrated care board
    (icb) or the police; ``none`` clears the mark."""
    with _boot().unit_of_work() as session:
        accounts.set_partner_kind(session, key, None if kind == "none" else kind, actor="lif agency partner",
                                  now=clock.now())
    click.echo(f"agency {key}: {_PARTNER_WORDS[kind]}")


_PARTNER_WORDS = {"la": "statutory partner (local authority)", "icb": "statutory partner (integrated care board)",
                  "police": "statutory partner (police)", "none": "not a statutory partner"}


@main.group()
def message() -> None:
    """Allow processes to receive messages other processes own."""


@message.command("allow")
@click.argument("key")
@click.argument("message_name", metavar="MESSAGE")
def message_allow(key: str, message_name: str) -> None:
    """Allow process KEY to receive MESSAGE (its next deploy may catch it)."""
    with _boot().unit_of_work() as session:
        _, created = message_owners.allow(session, key, message_name, actor="lif message allow", now=clock.now())
    click.echo(f"{key} may receive {message_name}" if created else f"{key} was already allowed to receive "
                                                                   f"{message_name}")


@message.command("disallow")
@click.argument("key")
@click.argument("message_name", metavar="MESSAGE")
def message_disallow(key: str, message_name: str) -> None:
    """Withdraw process KEY's permission to receive MESSAGE (its next deploy may not catch it)."""
    with _boot().unit_of_work() as session:
        message_owners.disallow(session, key, message_name, actor="lif message disallow", now=clock.now())
    click.echo(f"{key} may no longer receive {message_name}")


@message.command("list")
def message_list() -> None:
    """List which process may receive which message, and why."""
    with _boot().unit_of_work() as session:
        found = message_owners.pairings(session)
    for pairing in found:
        why = {"shipped": "shipped with LIF", "first": "first to use it", "admin": "allowed"}.get(pairing.reason,
                                                                                                  pairing.reason)
        by = f" by {pairing.allowed_by}" if pairing.allowed_by else ""
        when = f" on {pairing.allowed_at:%Y-%m-%d}" if pairing.allowed_at else ""
        click.echo(f"{pairing.message_name}: {pairing.process_key} ({why}{by}{when})")
    if not found:
        click.echo("no process may receive any message yet")


@main.group()
def retention() -> None:
    """Retention of cases: what is past its retention date."""


@retention.command("report")
def retention_report() -> None:
    """List the cases past their retention date: business key, process, the date due for disposal, and any hold."""
    from engine.records import SYSTEM
    from engine.retention import schedule

    with _boot().unit_of_work() as session:
        due = schedule.cases_past_retention(session, clock.now(), actor=SYSTEM)
    if not due:
        click.echo("No cases are past their retention date.")
        return
    click.echo(f"{len(due)} case{'s are' if len(due) != 1 else ' is'} past {'their' if len(due) != 1 else 'its'} "
               "retention date.")
    rows = [("Business key", "Process", "Due for disposal", "Legal hold")]
    rows += [(c.business_key, c.process_name, _day(c.retention_date),
              f"held ({c.hold.kind_name.lower()})" if c.hold else "not held") for c in due]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[3])


def _day(moment: datetime) -> str:
    from engine.workdays import london_date

    day = london_date(moment)
    return f"{day.day} {day:%B %Y}"


@main.group()
def report() -> None:
    """The partnership's reports."""


@report.command("annual")
@click.option("--year", required=True, help="The calendar year, e.g. 2026.")
@click.option("--format", "wanted", type=click.Choice(["docx", "xlsx"]), default="docx", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The file to write; annual-report-YEAR.docx (or .xlsx) in this folder when not given.")
def report_annual(year: str, wanted: str, output: Path | None) -> None:
    """Write the annual report pack for a year: a Word document to edit into the yearly report, or a workbook."""
    from engine.records import SYSTEM
    from engine.reports import annual

    from .api.annual import parse_year
    from .documents_out.annual_docx import annual_docx
    from .documents_out.annual_xlsx import annual_xlsx

    try:
        wanted_year = parse_year(year)
    except InvalidData as exc:  # one line, without the details the API gives
        _exit_with(f"error: {exc.message}")
    with _boot().unit_of_work() as session:
        figures = annual.annual_figures(session, actor=SYSTEM, year=wanted_year, now=clock.now())
    target = output or Path(f"annual-report-{figures.year}.{wanted}")
    try:
        target.write_bytes(annual_docx(figures) if wanted == "docx" else annual_xlsx(figures))
    except OSError as exc:
        _exit_with(f"error: cannot write {target} ({exc.strerror or exc})")
    click.echo(f"annual report for {figures.year} written to {target}")


@main.command()
@click.option("--now", "when", default=None, help="Run as if at this ISO 8601 time (with an offset).")
def tick(when: str | None) -> None:
    """Run one scheduler sweep."""
    from notifications.scheduler import sweep

    moment = _parse_now(when) if when is not None else clock.now()
    lif = _boot()
    result = sweep(lif.factory, lif.config, moment)
    click.echo(f"sweep at {moment.isoformat()}: " + ", ".join(f"{k} {v}" for k, v in result.items()))


def _parse_now(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"{text!r} is not an ISO 8601 date-time", param_hint="--now") from None
    if moment.tzinfo is None:
        raise click.BadParameter("give an offset, e.g. 2027-01-04T09:00:00Z", param_hint="--now")
    return clock.ensure_aware(moment)


@main.command()
@click.option("--host", default="127.0.0.1", envvar="LIF_HOST", show_envvar=True)
@click.option("--port", default=5000, type=int, envvar="LIF_PORT", show_envvar=True)
@click.option("--workers", type=click.IntRange(min=1), default=None, envvar="LIF_WORKERS", show_envvar=True,
              help="Worker processes (default: two a core, plus one, at most eight).")
@click.option("--threads", type=click.IntRange(min=1), default=4, envvar="LIF_THREADS", show_envvar=True,
              show_default=True, help="Threads in each worker process.")
@click.option("--no-scheduler", is_flag=True, help="Do not run the scheduler (run `lif scheduler` elsewhere).")
@click.option("--dev", is_flag=True, help="Flask's development server, in one process, for local work.")
def serve(host: str, port: int, workers: int | None, threads: int, no_scheduler: bool, dev: bool) -> None:
    """Run the web app on a production server (and one scheduler, unless told not to)."""
    config = Config.from_env(host=host, port=port)  # links point here unless LIF_BASE_URL says otherwise
    if dev:
        _serve_dev(config, host, port, no_scheduler)
        return
    from . import create_app
    from .production import default_workers
    from .production import serve as serve_production

    click.echo(f"LIF serving on http://{host}:{port}/" + (" (no scheduler)" if no_scheduler else ""))
    serve_production(lambda: create_app(config), host, port, workers=workers or default_workers(), threads=threads,
                     scheduler=not no_scheduler)


def _serve_dev(config: Config, host: str, port: int, no_scheduler: bool) -> None:
    from . import create_app
    from .production import SCHEDULER_ENV
    from .server import make_server

    os.environ[SCHEDULER_ENV] = "0" if no_scheduler else "1"  # as lif serve tells its workers (/readyz reads it)
    app = create_app(config)
    try:
        with app.extensions["lif"].reading() as session:
            session.connection()
    except Exception as exc:
        if not unreachable(exc):
            raise
        click.echo(f"lif: {unreachable_reason(app.extensions['lif'].config.database_url, exc)}; "
                   "answering 503 until it can", err=True)
    if not no_scheduler:
        from notifications.scheduler import start_background
        start_background(app.extensions["lif"].factory, app.extensions["lif"].config)
    click.echo(f"LIF serving on http://{host}:{port}/ (development server)")
    make_server(app, host, port).serve_forever()


@main.command()
@click.option("--parent-pid", type=int, default=None, hidden=True,
              help="Stop when this process ends (lif serve runs its scheduler so).")
def scheduler(parent_pid: int | None) -> None:
    """Run the scheduler alone (beside `lif serve --no-scheduler`, or on another machine). TERM or Ctrl-C stops it
    once the sweep in flight has finished."""
    from notifications.scheduler import run_until_stopped

    lif = _boot()  # the settings are checked first: a refused start prints only its problems
    click.echo("LIF scheduler running; sweeping every minute")
    run_until_stopped(lif.factory, lif.config, parent_pid=parent_pid)
    click.echo("LIF scheduler stopped")


def database_is_empty() -> bool:
    """True when no user and no case exist yet (the README's run command loads the demo then)."""
    from demo import is_empty

    with _boot().unit_of_work() as session:
        return is_empty(session)


@main.command()
def demo() -> None:
    """Load a demonstration partnership: agencies, users, and cases in many states."""
    from demo import load_demo

    click.echo(load_demo(_boot().factory, now=clock.now()))


main.add_command(backup)
main.add_command(restore)
