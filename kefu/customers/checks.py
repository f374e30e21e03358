"""`kefu check --database default`: a PostgreSQL database whose character classification is the C locale makes
pg_trgm treat every Chinese character as a separator, so the name search (R2.2) could never use its index."""

from django.core import checks
from django.db import connections


@checks.register(checks.Tags.database)
def check_chinese_trigrams(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    problems = []
    for alias in databases or ():
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        with connection.cursor() as cursor:
            cursor.execute("SELECT datctype FROM pg_database WHERE datname = current_database()")
            ctype = cursor.fetchone()[0]
        if ctype.upper() in ("C", "POSIX"):
            problems.append(checks.Warning(
                f"The database {connection.settings_dict['NAME']!r} classifies characters with LC_CTYPE={ctype}: "
                "the trigram index cannot serve Chinese name searches (R2.2), which then read the whole table.",
                hint="Create the database with a UTF-8 locale, e.g. createdb --locale=C.UTF-8 --template=template0 "
                     "(or initdb --locale=C.UTF-8), and restore into it.",
                id="kefu.customers.W001"))
    return problems
