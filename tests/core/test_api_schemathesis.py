"""schemathesis against the OpenAPI description of /api/v1/ (issue 13, "The attack suite in CI").

Every operation gets a bounded, reproducible run of generated requests (``derandomize``: the
same examples on every run, so CI does not flake on a new one), served in-process through the
WSGI application, and every answer is checked: no 5xx, a status code the description
documents, the documented content type, and a body that matches the response schema. Run
with DATABASE_URL set to check PostgreSQL too, where NUL bytes and huge integers once gave
server errors.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings

from tests.diary.factories import AgendaItemFactory, CaseFactory, MeetingFactory
from tests.people.factories import OrganizationFactory, politician

# Examples per operation; with the 12 operations this stays well under a minute.
MAX_EXAMPLES = 25


def _wsgi_app():
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


# Loaded at collection: reading the description touches no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _wsgi_app())


@pytest.fixture
def api_rows(db):
    """A little data, so that some generated lookups find a row and lists are not empty.

    The WSGI handler closes the database connection after each request; in a test that would
    close the test's own transaction, so (as Django's test client does) it is kept open.
    """
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    body = OrganizationFactory()
    politician(body=body)
    AgendaItemFactory(meeting=MeetingFactory(organization=body))
    CaseFactory(responsible_organization=body)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_described(case, api_rows):
    case.call_and_validate()


# What schemathesis found, kept as plain assertions so each stays fixed even if the generated
# examples change with a new schemathesis.


@pytest.mark.parametrize("value", ["0", "1700000000", "2026-1-1", "1.5"])
def test_a_date_filter_takes_only_yyyy_mm_dd(api_rows, client, value):
    response = client.get(f"/api/v1/meetings?until={value}")
    assert response.status_code == 422, response.content[:300]
    assert "YYYY-MM-DD" in response.content.decode()
    assert client.get("/api/v1/meetings?since=2026-01-01&until=0366-12-22").status_code == 200


def test_cases_and_a_proposals_case_have_their_own_schemas(api_rows, client):
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["components"]["schemas"]["CaseOut"]["properties"]["id"]["type"] == "string"
    assert spec["components"]["schemas"]["ProposalCaseOut"]["properties"]["id"]["type"] == "integer"
    assert isinstance(client.get("/api/v1/cases").json()["items"][0]["id"], str)
