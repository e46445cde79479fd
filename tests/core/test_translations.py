"""Swedish is complete: every string in the code has a translation, and the compiled catalogues
match their sources."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIP_DIRS = {".venv", "var", "node_modules", ".git"}


def po_files(root=ROOT):
    return sorted(
        p for p in root.rglob("locale/sv/LC_MESSAGES/django.po") if not SKIP_DIRS & set(p.parts)
    )


PO_FILES = po_files()


def test_catalogues_exist():
    assert len(PO_FILES) >= 5


@pytest.mark.parametrize("path", PO_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_entry_is_translated(path):
    po = polib.pofile(str(path))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"Untranslated in {path}: {untranslated[:10]}"
    assert not fuzzy, f"Fuzzy in {path}: {fuzzy[:10]}"


@pytest.mark.parametrize("path", PO_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_compiled_catalogue_matches_source(path):
    mo_path = path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} is missing: run 'make messages'"
    po = {(e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in polib.pofile(str(path)) if not e.obsolete}
    mo = {(e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in polib.mofile(str(mo_path)) if e.msgid}
    assert po == mo, f"{mo_path} is out of date: run 'make messages'"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (xgettext)")
def test_no_string_in_the_code_is_missing_from_the_catalogues(tmp_path):
    """Run makemessages on a copy of the tree: it must find no msgid the catalogues lack."""
    copy = tmp_path / "tree"
    shutil.copytree(
        ROOT, copy, ignore=shutil.ignore_patterns(".venv", "var", ".git", "__pycache__", "tests", "node_modules")
    )
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="democracy.settings")
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "sv", "--no-obsolete", "-v", "0"],
        cwd=copy, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    missing = {}
    for original in PO_FILES:
        fresh = copy / original.relative_to(ROOT)
        have = {(e.msgctxt, e.msgid) for e in polib.pofile(str(original))}
        found = {(e.msgctxt, e.msgid) for e in polib.pofile(str(fresh))}
        if found - have:
            missing[str(original.relative_to(ROOT))] = sorted(m for _c, m in found - have)[:10]
    new_catalogues = set(po_files(copy)) - {copy / p.relative_to(ROOT) for p in PO_FILES}
    assert not new_catalogues, f"Strings outside any catalogue: {new_catalogues}"
    assert not missing, f"Run 'make messages' and translate: {missing}"


def test_a_string_means_the_same_in_every_catalogue():
    """Django merges all catalogues into one: the same msgid (and context) must have the same
    Swedish everywhere, or one app's pages silently show another app's wording. Use a context
    (pgettext) where the meanings differ."""
    seen = {}
    clashes = []
    for path in PO_FILES:
        for entry in polib.pofile(str(path)):
            if entry.obsolete:
                continue
            key = (entry.msgctxt, entry.msgid, entry.msgid_plural)
            value = entry.msgstr or tuple(sorted(entry.msgstr_plural.items()))
            where = str(path.relative_to(ROOT)).split("/locale/")[0]
            if key in seen and seen[key][1] != value:
                clashes.append(f"{key[1]!r} (context {key[0]!r}): {seen[key][0]} {seen[key][1]!r} vs {where} {value!r}")
            seen.setdefault(key, (where, value))
    assert not clashes, "Same string, different Swedish:\n" + "\n".join(clashes)
