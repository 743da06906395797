"""``lif backup FILE`` and ``lif restore FILE``: the command-line face of ``engine.backup``. Errors (a bad file, a
database that is not empty, pg_dump missing) are one line, through ``web.cli.LifGroup``."""
from __future__ import annotations

from pathlib import Path

import click

from engine import clock
from engine.backup import run
from engine.config import Config
from engine.documents.stores import store_from

from .boot import boot
from .context import LifContext


def _boot() -> LifContext:
    config = Config.from_env()
    click.get_current_context().meta["lif.config"] = config  # LifGroup names the database it cannot reach
    return boot(config)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup(file: Path) -> None:
    """Write a backup of the database and the documents to FILE (safe while the service runs)."""
    lif = _boot()
    manifest = run.backup(lif.engine, store_from(lif.config.document_store), file, now=clock.now())
    click.echo(f"backup written to {file}: {sum(manifest.row_counts.values())} rows in "
               f"{len(manifest.row_counts)} tables, {manifest.document_files} document files, "
               f"schema revision {manifest.schema_revision}")


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def restore(file: Path) -> None:
    """Load the backup FILE into an empty database (and an empty document folder)."""
    lif = _boot()
    click.echo(run.restore(lif.engine, store_from(lif.config.document_store), file))
