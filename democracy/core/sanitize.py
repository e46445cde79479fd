"""The one place user-supplied HTML is cleaned.

Services call ``clean_html`` on the way in; templates show stored rich text with the
``rich_text`` filter, which cleans again (cheap and idempotent) so that nothing reaches a page
unsanitised even if a row was written some other way. Only this module imports bleach, so a
move to another sanitiser (nh3) touches one file.
"""

import html

import bleach
from bleach.linkifier import Linker
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe


def _set_link_rel(attrs, new=False):
    attrs[(None, "rel")] = "nofollow ugc noopener"
    return attrs


def clean_html(text: str | None) -> str:
    """Keep the allowed tags and attributes (settings ``DELTA_RICH_TEXT_*``), strip the rest."""
    if not text:
        return ""
    cleaned = bleach.clean(
        text,
        tags=settings.DELTA_RICH_TEXT_TAGS,
        attributes=settings.DELTA_RICH_TEXT_ATTRIBUTES,
        protocols=settings.DELTA_RICH_TEXT_PROTOCOLS,
        strip=True,
        strip_comments=True,
    )
    linker = Linker(callbacks=[_set_link_rel], skip_tags=["pre", "code"], parse_email=False)
    return linker.linkify(cleaned).strip()


def clean_text(text: str | None) -> str:
    """Plain text: every tag removed, characters as written ("Skola & förskola").

    bleach escapes ``&``, ``<`` and ``>`` for HTML; they are turned back here, because plain
    text is stored as written and escaped where it is shown (templates autoescape, e-mails
    are plain text). Stored escaped, "&" would reach a page as "&amp;amp;" and a mail as
    "&amp;".
    """
    if not text:
        return ""
    if _plain(text):
        return text.strip()
    return _clean_text_parsed(text)


def _clean_text_parsed(text: str) -> str:
    cleaned = bleach.clean(text, tags=[], attributes={}, strip=True, strip_comments=True)
    return html.unescape(cleaned).strip()


def _plain(text: str) -> bool:
    """Whether bleach would give ``text`` back unchanged: no tag, comment or entity can start
    without ``<`` or ``&``, and printable characters are what its parser keeps as written (no
    control characters, line breaks or other characters it might normalise). Most names and
    titles are like this, and parsing one costs about a tenth of a signature's CPU.
    ``tests/core/test_sanitize.py`` compares the two paths."""
    return text.isprintable() and "<" not in text and "&" not in text


def clean_line(text: str | None) -> str:
    """``clean_text`` on one line: every run of whitespace (newlines too) becomes one space.

    For e-mail subjects and other header-like values, where a newline is an error.
    """
    return " ".join(clean_text(text).split())


def render_rich_text(text: str | None) -> SafeString:
    return mark_safe(clean_html(text))  # noqa: S308 -- cleaned by the allowlist just above
