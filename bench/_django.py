"""Shared start-up for the benchmark scripts: Django settings, a guard for the dev database, migrate."""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def setup(*, allow_dev_db: bool = False) -> None:
    """Start Django as `kefu` does, with DEBUG off (no query log), refusing the developer's var/ database."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings.base")
    os.environ.setdefault("KEFU_DEBUG", "false")
    uses_postgres = bool(os.environ.get("KEFU_DATABASE_URL") or os.environ.get("DATABASE_URL"))
    data_dir = Path(os.environ.get("KEFU_DATA_DIR", REPO / "var")).resolve()
    if not uses_postgres and data_dir == (REPO / "var").resolve() and not allow_dev_db:
        sys.exit("Refusing to benchmark the development database var/kefu.sqlite3: set KEFU_DATA_DIR "
                 "(e.g. /tmp/kefu-bench-sqlite) or KEFU_DATABASE_URL=postgres://...")
    import django

    django.setup()


def migrate_if_needed(out=print) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        out(f"migrating: {len(plan)} migrations")
        call_command("migrate", interactive=False, verbosity=0)


def database_description() -> str:
    from django.db import connection

    connection.ensure_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
        settings = connection.settings_dict
        return f"PostgreSQL {version} ({settings['HOST']}:{settings['PORT']}/{settings['NAME']})"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version} ({connection.settings_dict['NAME']})"


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile (the value at or below which p % of the samples lie)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def load_average() -> str:
    """The machine's load (1, 5, 15 minutes) and cores: other work running at the same time skews the figures."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"
