"""Ticket search by title fragment served by a trigram index on PostgreSQL (skipped on SQLite)."""

from django.db import migrations

from kefu.core.migration_ops import PostgresOnlySQL


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("tickets", "0003_ticket_received_at"), ("customers", "0002_name_trigram_index")]

    operations = [
        PostgresOnlySQL(
            'CREATE INDEX CONCURRENTLY IF NOT EXISTS ticket_title_trgm ON tickets_ticket '
            'USING gin ((UPPER("title"::text)) gin_trgm_ops)',
            reverse_sql="DROP INDEX IF EXISTS ticket_title_trgm",
        ),
    ]
