"""Infrastructure hooks only; the domain flow never runs through signals."""

from django.conf import settings
from django.core.management import call_command


def create_cache_table(**kwargs) -> None:
    # The database cache needs its table; creating it after migrate keeps `kefu migrate` the only set-up step.
    if any(c["BACKEND"].endswith("DatabaseCache") for c in settings.CACHES.values()):
        call_command("createcachetable", database=kwargs.get("using", "default"), verbosity=0)
