"""Every language of the site is complete: every string in the code has a Swedish translation,
every other configured language has every string Swedish has, and the compiled catalogues match
their sources. The msgids are English, so English needs no catalogue of its own."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
SKIP_DIRS = {".venv", "var", "node_modules", ".git"}
SOURCE_LANGUAGE = "en"  # the language of the msgids
PLACEHOLDER = re.compile(r"%\([^)]+\)[sdif]|%[sdif]|\{[A-Za-z_0-9]*\}")
TAG = re.compile(r"</?([a-z][a-z0-9]*)\b")


def po_files(root=ROOT, language="sv"):
    return sorted(
        p
        for p in root.rglob(f"locale/{language}/LC_MESSAGES/django.po")
        if not SKIP_DIRS & set(p.parts)
    )


PO_FILES = po_files()
# Every configured language but the msgids' own, read from the setting: a language added
# there without its catalogues fails here.
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != SOURCE_LANGUAGE]
CATALOGUES = [
    (language, sv.parents[2] / language / "LC_MESSAGES" / "django.po")
    for language in LANGUAGES
    for sv in PO_FILES
]


def _key(entry):
    return (entry.msgctxt, entry.msgid)


def _translations(entry):
    return [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())


def test_catalogues_exist():
    assert len(PO_FILES) >= 5


def _catalogue_id(path):
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize(
    "language,path",
    [pytest.param(language, path, id=_catalogue_id(path)) for language, path in CATALOGUES],
)
def test_every_entry_is_translated(language, path):
    """Each language has each catalogue Swedish has, with every string Swedish has, translated,
    not fuzzy, and with the same placeholders and HTML tags as the English source."""
    assert path.exists(), f"{path.relative_to(ROOT)} is missing: makemessages -l {language}"
    po = polib.pofile(str(path))
    assert po.metadata.get("Language") == language, path
    entries = {_key(e): e for e in po if not e.obsolete}
    swedish_path = path.parents[2] / "sv" / "LC_MESSAGES" / "django.po"
    swedish = {_key(e) for e in polib.pofile(str(swedish_path)) if not e.obsolete}
    missing = sorted(m for _c, m in swedish - set(entries))
    assert not missing, f"{language} lacks {len(missing)} strings Swedish has: {missing[:10]}"
    untranslated = [k[1] for k, e in entries.items() if not all(_translations(e))]
    fuzzy = [k[1] for k, e in entries.items() if "fuzzy" in e.flags]
    assert not untranslated, f"Untranslated in {path}: {untranslated[:10]}"
    assert not fuzzy, f"Fuzzy in {path}: {fuzzy[:10]}"
    broken = []
    for entry in entries.values():
        source_tags = sorted(TAG.findall(entry.msgid))
        if entry.msgid_plural:
            # A plural form may leave the number out ("one file"), never add one.
            allowed = set(PLACEHOLDER.findall(entry.msgid_plural))
            ok = all(
                set(PLACEHOLDER.findall(text)) <= allowed
                and sorted(TAG.findall(text)) == source_tags
                for text in _translations(entry)
            )
        else:
            ok = sorted(PLACEHOLDER.findall(entry.msgstr)) == sorted(
                PLACEHOLDER.findall(entry.msgid)
            ) and sorted(TAG.findall(entry.msgstr)) == source_tags
        if not ok:
            broken.append(entry.msgid)
    assert not broken, f"Placeholders or tags differ from the source in {path}: {broken[:10]}"


@pytest.mark.parametrize(
    "path", PO_FILES + [path for _language, path in CATALOGUES if path.exists()], ids=_catalogue_id
)
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


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_string_means_the_same_in_every_catalogue(language):
    """Django merges all catalogues into one: the same msgid (and context) must have the same
    translation everywhere, or one app's pages silently show another app's wording. Use a context
    (pgettext) where the meanings differ."""
    seen = {}
    clashes = []
    for path in po_files(language=language):
        for entry in polib.pofile(str(path)):
            if entry.obsolete:
                continue
            key = (entry.msgctxt, entry.msgid, entry.msgid_plural)
            value = entry.msgstr or tuple(sorted(entry.msgstr_plural.items()))
            where = str(path.relative_to(ROOT)).split("/locale/")[0]
            if key in seen and seen[key][1] != value:
                clashes.append(f"{key[1]!r} (context {key[0]!r}): {seen[key][0]} {seen[key][1]!r} vs {where} {value!r}")
            seen.setdefault(key, (where, value))
    assert not clashes, f"Same string, different {language}:\n" + "\n".join(clashes)
