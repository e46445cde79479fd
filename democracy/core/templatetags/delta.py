from datetime import datetime

from django import template
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from django.utils.timezone import is_aware, localtime
from django.utils.translation import gettext, pgettext

from democracy.core.models import EditorialText, SignLanguageVideo
from democracy.core.sanitize import render_rich_text
from democracy.core.translations import active_language, default_language, is_bidi, localized

register = template.Library()


@register.filter
def rich_text(value):
    """Show stored user rich text, cleaned by the one sanitiser."""
    return render_rich_text(value)


@register.filter
def month_abbr(value):
    """The month of ``value`` abbreviated as the active language writes it on a date badge.

    Django's ``M`` is English-style title case in every language ("Dec", "Okt"); Swedish
    writes month names in lower case ("dec", "okt"). The format is translated, so each
    language picks its own (Swedish: ``b``).
    """
    if not value:
        return ""
    if isinstance(value, datetime):
        value = localtime(value) if is_aware(value) else value
    # Translators: a PHP-style date format giving the month's abbreviation on a date badge.
    return date_format(value, pgettext("date badge format", "M"))


# --- Municipal content in several languages (democracy.core.translations, decision 89) ------


def _fallback_attrs(language: str):
    """``lang`` (and ``dir`` where the direction changes) for text in ``language`` when it is
    not the page's language; "" when it is."""
    page = active_language()
    if language == page:
        return ""
    if is_bidi(language) != is_bidi(page):
        direction = "rtl" if is_bidi(language) else "ltr"
        return format_html(' lang="{}" dir="{}"', language, direction)
    return format_html(' lang="{}"', language)


@register.filter
def tr(obj, field):
    """``obj.field`` in the page's language; the Swedish text, in ``<span lang="sv">``, when
    it has no translation. ``{{ topic|tr:"name" }}``."""
    if obj is None:
        return ""
    text, language = localized(obj, field)
    attrs = _fallback_attrs(language)
    if attrs and text:
        return format_html("<span{}>{}</span>", attrs, text)
    return text


@register.filter
def tr_rich(obj, field):
    """Rich text (cleaned by the one sanitiser) in the page's language, in a ``div`` that
    carries ``lang`` when it is the Swedish fallback."""
    if obj is None:
        return ""
    text, language = localized(obj, field)
    if not text:
        return ""
    return format_html(
        '<div class="rich-text"{}>{}</div>', _fallback_attrs(language), render_rich_text(text)
    )


@register.filter
def tr_text(obj, field):
    """Only the text, for places that cannot hold markup (``<option>``, attributes)."""
    return localized(obj, field)[0] if obj is not None else ""


@register.filter
def tr_attrs(obj, field):
    """The ``lang``/``dir`` attributes the text of ``tr_text`` needs: ``<option{{ t|tr_attrs:"name" }}>``."""
    if obj is None:
        return ""
    return _fallback_attrs(localized(obj, field)[1])


@register.simple_tag
def language_attrs(language):
    """``lang`` (and ``dir``) for text written in ``language`` (a proposal, a comment)."""
    language = (language or default_language()).split("-")[0]
    return _fallback_attrs(language)


@register.simple_tag
def editorial_texts():
    """The municipality's own texts that are entered, by key (one query): ``{% editorial_texts
    as texts %}{% if texts.hub_proposals %}…``. A key's dashes are underscores here."""
    return {
        row.key.replace("-", "_"): row for row in EditorialText.objects.exclude(text="")
    }


@register.simple_tag
def sign_language_link(topic):
    """A link to the topic's film on the sign-language page, when one is published (one
    query): ``{% sign_language_link "proposal-rules" %}``. The link text is in the interface's
    language and says so, so it reads right inside a Swedish-only (easy-Swedish) page too."""
    if not SignLanguageVideo.objects.filter(topic=topic, is_published=True).exists():
        return ""
    language = active_language()
    return format_html(
        '<p class="sign-language-link"><a href="{}#topic-{}" lang="{}" dir="{}">{}</a></p>',
        reverse("core:sign-language"),
        topic,
        language,
        "rtl" if is_bidi(language) else "ltr",
        gettext("Watch this in Swedish Sign Language"),
    )
