"""Shared by the workforce commands: one error rule (exit code 2 with the field's option) and the output."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kefu.core.errors import FieldError
from kefu.core.tunables import Tunable

USAGE_ERROR = 2


def default_help(tunable: Tunable, text: str, lead: str = "Default") -> str:
    """Help text naming the default, its tunable and its source (the admin changes it under Settings)."""
    return f"{text} {lead} {tunable.default} ({tunable.source}; setting {tunable.key})."


def run(command: BaseCommand, compute: Callable[[], dict[str, Any]], as_json: bool,
        render: Callable[[dict[str, Any]], list[str]]) -> None:
    try:
        data = compute()
    except FieldError as error:
        option = f"--{(error.field or 'input').replace('_', '-')}"
        message = error.message_en if error.message_zh == error.message_en else (
            f"{error.message_zh} / {error.message_en}")
        raise CommandError(f"{option}: {message}", returncode=USAGE_ERROR) from None
    if as_json:
        command.stdout.write(json.dumps(data, ensure_ascii=False))
    else:
        for line in render(data):
            command.stdout.write(line)
