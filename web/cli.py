"""The ``lif`` command line: a composition root that wires configuration, the engine and the web app."""
from __future__ import annotations

import logging
import secrets
import sys
from datetime import datetime
from pathlib import Path

import click

from engine.people import accounts
from engine import clock
from engine.bundles import definitions
from engine.cases import runtime
from engine.config import Config
from engine.store.db import make_engine, make_session_factory, transaction, unreachable, unreachable_reason
from engine.errors import LifError
from engine.store.schema import upgrade_schema


def _factory(config: Config):
    import notifications

    runtime.configure_scripts(config)
    notifications.install(config)
    engine = make_engine(config.database_url)
    return make_session_factory(engine)


def _fail(exc: LifError) -> None:
    if unreachable(exc):
        raise exc  # the group prints it in one line
    click.echo(f"error: {exc.message}", err=True)
    for detail in exc.details or []:
        click.echo(f"  {detail}", err=True)
    sys.exit(1)


class LifGroup(click.Group):
    """Every command: a database that cannot be reached is one line on stderr and exit status 1, not a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            if not unreachable(exc):
                raise
            click.echo(f"lif: {unreachable_reason(Config.from_env().database_url, exc)}", err=True)
            sys.exit(1)


@click.group(cls=LifGroup)
@click.option("-v", "--verbose", is_flag=True, help="Log at debug level.")
def main(verbose: bool) -> None:
    """LIF: learning and improvement workflows for safeguarding children partnerships."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("spiff").setLevel(logging.DEBUG if verbose else logging.WARNING)


@main.command()
def init() -> None:
    """Create or upgrade the database and deploy every bundle in workflows/."""
    config = Config.from_env()
    runtime.configure_scripts(config)
    engine = make_engine(config.database_url)
    try:
        click.echo(upgrade_schema(engine))
    except LifError as exc:
        _fail(exc)
    factory = make_session_factory(engine)
    import notifications
    notifications.install(config)
    if not config.workflows_dir.is_dir():
        click.echo(f"no workflows folder at {config.workflows_dir}; nothing deployed")
        return
    try:
        with transaction(factory) as session:
            results = definitions.deploy_all(session, config.workflows_dir, actor="lif init", now=clock.now())
    except LifError as exc:
        _fail(exc)
    for info, created in results:
        click.echo(f"{info.key}: version {info.version} {'deployed' if created else 'unchanged'}")


@main.command()
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
def deploy(path: Path) -> None:
    """Deploy one bundle folder."""
    factory = _factory(Config.from_env())
    try:
        with transaction(factory) as session:
            info, created = definitions.deploy_directory(session, path, actor="lif deploy", now=clock.now())
    except LifError as exc:
        _fail(exc)
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
    factory = _factory(Config.from_env())
    try:
        with transaction(factory) as session:
            accounts.add_user(session, name, roles=list(roles), agency_key=agency, email=email, password=password,
                              full_name=full_name, actor="lif user add", now=clock.now())
    except LifError as exc:
        _fail(exc)
    click.echo(f"user {name} added" + (f" with password {password}" if generated else ""))


@main.group()
def agency() -> None:
    """Manage agencies."""


@agency.command("add")
@click.argument("key")
@click.argument("name")
def agency_add(key: str, name: str) -> None:
    """Add an agency."""
    factory = _factory(Config.from_env())
    try:
        with transaction(factory) as session:
            accounts.add_agency(session, key, name, actor="lif agency add", now=clock.now())
    except LifError as exc:
        _fail(exc)
    click.echo(f"agency {key} added")


@agency.command("lead")
@click.argument("key")
@click.argument("username", required=False)
def agency_lead(key: str, username: str | None) -> None:
    """Set (or, without USERNAME, clear) the agency's senior lead, who receives escalations."""
    factory = _factory(Config.from_env())
    try:
        with transaction(factory) as session:
            accounts.set_senior_lead(session, key, username, actor="lif agency lead", now=clock.now())
    except LifError as exc:
        _fail(exc)
    click.echo(f"agency {key}: senior lead {username or 'cleared'}")


@main.command()
@click.option("--now", "when", default=None, help="Run as if at this ISO 8601 time (with an offset).")
def tick(when: str | None) -> None:
    """Run one scheduler sweep."""
    from notifications.scheduler import sweep

    moment = _parse_now(when) if when is not None else clock.now()
    result = sweep(_factory(Config.from_env()), moment)
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
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@click.option("--no-scheduler", is_flag=True, help="Do not run the embedded scheduler.")
def serve(host: str, port: int, no_scheduler: bool) -> None:
    """Run the web app (and the scheduler, unless told not to)."""
    from . import create_app
    from .server import make_server

    app = create_app()
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
        start_background(app.extensions["lif"].factory)
    click.echo(f"LIF serving on http://{host}:{port}/")
    make_server(app, host, port).serve_forever()


@main.command()
def scheduler() -> None:
    """Run the scheduler alone (for deployments with several web workers)."""
    from notifications.scheduler import run_blocking

    click.echo("LIF scheduler running; sweeping every minute")
    run_blocking(_factory(Config.from_env()))


def database_is_empty() -> bool:
    """True when no user and no case exist yet (the README's run command loads the demo then)."""
    from demo import is_empty

    with transaction(_factory(Config.from_env())) as session:
        return is_empty(session)


@main.command()
def demo() -> None:
    """Load a demonstration partnership: agencies, users, and cases in many states."""
    from demo import load_demo

    factory = _factory(Config.from_env())
    try:
        summary = load_demo(factory, now=clock.now())
    except LifError as exc:
        _fail(exc)
    click.echo(summary)
