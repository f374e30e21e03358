"""The zh_Hans catalogue is kept complete: every message of the code is translated and compiled."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import translation

KEFU = Path(__file__).resolve().parents[2]
PO = KEFU / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"

needs_gettext = pytest.mark.skipif(
    shutil.which("msgfmt") is None and not os.environ.get("CI"),
    reason="GNU gettext is not installed (CI installs it)",
)


def untranslated(po_text: str) -> list[str]:
    """msgids whose msgstr is empty or fuzzy (a minimal reader of the .po format)."""
    problems, entries = [], po_text.split("\n\n")
    for entry in entries[1:]:
        lines = [line for line in entry.strip().splitlines() if not line.startswith("#~")]
        if not lines:
            continue
        if any(line.startswith("#,") and "fuzzy" in line for line in lines):
            problems.append(entry.strip()[:80])
            continue
        strs = [i for i, line in enumerate(lines) if line.startswith("msgstr")]
        for i in strs:
            value = lines[i].split(" ", 1)[1]
            continued = [line for line in lines[i + 1:] if line.startswith('"')]
            if value == '""' and not any(c != '""' for c in continued[:1]):
                problems.append(entry.strip()[:80])
    return problems


@needs_gettext
def test_catalogue_is_complete_for_the_current_code(tmp_path):
    copy = tmp_path / "kefu"
    shutil.copytree(KEFU, copy, ignore=shutil.ignore_patterns("__pycache__", "tests"))
    result = subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans", "--no-location", "--no-obsolete"],
        cwd=copy, capture_output=True, text=True, env={**os.environ, "DJANGO_SETTINGS_MODULE": "kefu.settings.test",
                                                      "PYTHONPATH": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    regenerated = (copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po").read_text()
    missing = untranslated(regenerated)
    assert not missing, "Untranslated or fuzzy (run makemessages and translate):\n" + "\n".join(missing)


@needs_gettext
def test_compiled_catalogue_matches_the_po(tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(compiled), str(PO)], check=True)
    assert compiled.read_bytes() == PO.with_suffix(".mo").read_bytes(), "run `kefu compilemessages`"


def test_chinese_is_the_default_and_english_the_second():
    with translation.override("zh-hans"):
        assert translation.gettext("Customers") == "客户"
    with translation.override("en"):
        assert translation.gettext("Customers") == "Customers"
