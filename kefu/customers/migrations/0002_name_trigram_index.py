"""R2.2: name-fragment search served by a trigram index on PostgreSQL (skipped on SQLite)."""

from django.db import migrations

from kefu.core.migration_ops import PostgresOnlySQL


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [("customers", "0001_initial")]

    operations = [
        PostgresOnlySQL("CREATE EXTENSION IF NOT EXISTS pg_trgm", reverse_sql=migrations.RunSQL.noop),
        PostgresOnlySQL(
            'CREATE INDEX CONCURRENTLY IF NOT EXISTS customer_name_trgm ON customers_customer '
            'USING gin ((UPPER("name"::text)) gin_trgm_ops)',
            reverse_sql="DROP INDEX IF EXISTS customer_name_trgm",
        ),
    ]
