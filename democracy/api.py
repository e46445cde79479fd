"""The open JSON API at /api/v1/: read-only, Open Civic Data / Popolo field names.

Each app contributes a django-ninja ``Router`` in its own ``api.py``, registered below. The
OpenAPI description is served at ``/api/v1/openapi.json``; there is no Swagger UI page, because
it would load scripts from elsewhere and break the Content-Security-Policy.
"""

from ninja import NinjaAPI
from ninja.pagination import PageNumberPagination

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


class Pagination(PageNumberPagination):
    """``?page=N&page_size=M``; the response is ``{"count": total, "items": [...]}``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("page_size", 50)
        kwargs.setdefault("max_page_size", 200)
        super().__init__(**kwargs)


# Routers of the apps; each line: api.add_router("<prefix>", "<app>.api.router")
api.add_router("/", "democracy.people.api.router")
api.add_router("/", "democracy.diary.api.router")
api.add_router("/proposals/", "proposals.api.router")
