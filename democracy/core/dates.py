"""The one range of dates and times that Delta accepts from a form or a service.

Dates far outside it are never meant, and some break things: 0001-01-01T00:00 in
Europe/Stockholm is a year-0 timestamp in UTC, which PostgreSQL stores but psycopg cannot read
back, so every page listing the row answers 500. Every ``forms.DateField`` and
``forms.DateTimeField`` carries ``validate_sensible_date`` (set once in ``CoreConfig.ready``),
and services that take dates from elsewhere call it themselves.
"""

from datetime import date, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Birth dates reach back to 1900; elections, terms and filters do not reach past 2100.
EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)


def validate_sensible_date(value: date | datetime | None) -> None:
    """Refuse a date or datetime outside EARLIEST..LATEST (``None`` is left to ``required``)."""
    if value is None:
        return
    day = value.date() if isinstance(value, datetime) else value
    if not EARLIEST <= day <= LATEST:
        raise ValidationError(
            _("Enter a date between %(earliest)s and %(latest)s."),
            code="date_out_of_range",
            params={"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()},
        )


def bound_form_date_fields() -> None:
    """Give every date and datetime form field, in every app and the admin, the range check."""

    for field_class in (forms.DateField, forms.DateTimeField):
        if validate_sensible_date not in field_class.default_validators:
            field_class.default_validators = [
                *field_class.default_validators,
                validate_sensible_date,
            ]
