"""The open JSON API at /api/v1/: read-only, Open Civic Data / Popolo field names.

Each app contributes a django-ninja ``Router`` in its own ``api.py``, registered below. The
OpenAPI description is served at ``/api/v1/openapi.json``; there is no Swagger UI page, because
it would load scripts from elsewhere and break the Content-Security-Policy.
"""

import re
from datetime import date
from typing import Annotated

from ninja import Field, NinjaAPI, Schema
from ninja.pagination import PageNumberPagination
from pydantic import AfterValidator, BeforeValidator

api = NinjaAPI(
    title="Delta open data API",
    version="1",
    description=(
        "Read-only open data from the municipality: organisations, people, memberships, "
        "meetings with agendas, cases and e-proposals. Field names follow Open Civic Data "
        "and Popolo. Lists are paginated with ?page=N and ?page_size=M (at most 200)."
    ),
    urls_namespace="api",
    docs_url=None,
    openapi_url="/openapi.json",
)


# The largest page number and row id the API accepts. Beyond them PostgreSQL's bigint (and
# SQLite's integer) overflows and the database raised a server error; a page this far is empty
# for any municipality anyway.
MAX_PAGE = 1_000_000
MAX_ID = 2**63 - 1


def _refuse_nul(value: str) -> str:
    # PostgreSQL cannot hold NUL in text; the HTML forms refuse it too
    # (ProhibitNullCharactersValidator). Refused here, it is a 422, not a server error.
    if "\x00" in value:
        raise ValueError("Null characters are not allowed.")
    return value


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_day(value):
    # The description says format "date"; pydantic would also take 0 or 1700000000 as a Unix
    # time and answer 200 for a parameter the description calls invalid (schemathesis found
    # ?until=0). Only YYYY-MM-DD is a date here, as in the HTML filters.
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DAY.fullmatch(value)):
        return value
    raise ValueError("Enter a date as YYYY-MM-DD.")


# Every string an API path or query parameter takes.
Text = Annotated[str, AfterValidator(_refuse_nul)]
# Every date a query parameter takes. Any year the description allows is answered (a filter
# date is only compared, never stored, so year 1 is harmless here).
Day = Annotated[date, BeforeValidator(_iso_day)]
# Every row id an API path takes.
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]


class ErrorOut(Schema):
    """The body of a 404: ``{"detail": "Not Found"}``."""

    detail: str


class InvalidOut(Schema):
    """The body of a 422: what was wrong with which parameter."""

    detail: list[dict]


# The answers besides 200 that every endpoint documents in the OpenAPI description.
ERRORS = {422: InvalidOut}
ERRORS_AND_404 = {404: ErrorOut, 422: InvalidOut}


class Pagination(PageNumberPagination):
    """``?page=N&page_size=M``; the response is ``{"count": total, "items": [...]}``."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE)

    def __init__(self, **kwargs):
        kwargs.setdefault("page_size", 50)
        kwargs.setdefault("max_page_size", 200)
        super().__init__(**kwargs)


# Routers of the apps; each line: api.add_router("<prefix>", "<app>.api.router")
api.add_router("/", "democracy.people.api.router")
api.add_router("/", "democracy.diary.api.router")
api.add_router("/proposals/", "proposals.api.router")
