"""Template filters of the contacts pages: durations and rates."""

from django import template

register = template.Library()


@register.filter
def duration(seconds) -> str:
    """125 → 2:05; 3725 → 1:02:05; None → —."""
    if seconds is None or seconds == "":
        return "—"
    total = int(round(float(seconds)))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@register.filter
def percent(value) -> str:
    """0.8333 → 83.3 %; None → —."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.1f} %"


@register.filter
def one_decimal(value) -> str:
    if value is None or value == "":
        return "—"
    return f"{float(value):.1f}"


@register.filter
def http_url(value) -> str:
    """Only http(s) links are rendered as links (a recording link comes from outside)."""
    text = str(value or "")
    return text if text.lower().startswith(("http://", "https://")) else ""


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template (None when absent)."""
    return mapping.get(key) if hasattr(mapping, "get") else None
