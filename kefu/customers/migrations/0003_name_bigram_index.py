"""R2.2: two-character name fragments (a surname and given name, 张伟) served by an index on PostgreSQL.

Trigrams cannot serve `LIKE '%张伟%'` (no complete trigram in the pattern), so a rare pair made PostgreSQL read
the whole table (250–850 ms with a million customers). A GIN index over each name's character pairs finds them
in milliseconds (docs/BENCHMARKS.md, customer look-up). Skipped on SQLite.
"""

from django.db import migrations

from kefu.core.migration_ops import PostgresOnlySQL

BIGRAMS = """
CREATE OR REPLACE FUNCTION kefu_bigrams(value text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT substr(value, i, 2)), '{}'::text[])
    FROM generate_series(1, char_length(value) - 1) AS i
$$
"""


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [("customers", "0002_name_trigram_index")]

    operations = [
        PostgresOnlySQL(BIGRAMS, reverse_sql="DROP FUNCTION IF EXISTS kefu_bigrams(text)"),
        PostgresOnlySQL(
            'CREATE INDEX CONCURRENTLY IF NOT EXISTS customer_name_bigram ON customers_customer '
            'USING gin (kefu_bigrams(UPPER("name"::text)))',
            reverse_sql="DROP INDEX IF EXISTS customer_name_bigram",
        ),
    ]
