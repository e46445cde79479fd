from datetime import datetime

from django import template
from django.utils.dateformat import format as date_format
from django.utils.timezone import is_aware, localtime
from django.utils.translation import pgettext

from democracy.core.sanitize import render_rich_text

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
