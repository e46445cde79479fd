"""Hostile input to the JSON API gets a 4xx with a reason, never a 500 (issue 13, item 4).

Run with DATABASE_URL set: on PostgreSQL the huge page was a bigint overflow and NUL a
``ValueError`` from psycopg.
"""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/v1/organizations",
    "/api/v1/persons",
    "/api/v1/memberships",
    "/api/v1/meetings",
    "/api/v1/cases",
    "/api/v1/proposals/",
]
HUGE = "99999999999999999999"


@pytest.fixture
def api():
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("page", [HUGE, "1000001", "0", "-1", "x", "a%00b"])
def test_a_bad_page_number_is_a_422(api, url, page):
    response = api.get(f"{url}?page={page}")
    assert response.status_code == 422, response.content[:300]
    assert "page" in response.content.decode()


@pytest.mark.parametrize("url", LISTS)
def test_a_huge_page_size_is_a_422_and_a_far_page_is_empty(api, url):
    assert api.get(f"{url}?page_size={HUGE}").status_code == 422
    response = api.get(f"{url}?page=1000000")
    assert response.status_code == 200
    assert response.json()["items"] == []


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/organizations?classification=a%00b",
        "/api/v1/memberships?organization=a%00b",
        "/api/v1/meetings?organization=a%00b",
        "/api/v1/cases?organization=a%00b",
        "/api/v1/cases?status=a%00b",
        "/api/v1/proposals/?status=a%00b",
        "/api/v1/proposals/?topic=a%00b",
        "/api/v1/proposals/?district=a%00b",
        "/api/v1/proposals/?q=a%00b",
    ],
)
def test_nul_in_a_filter_is_a_422(api, url):
    response = api.get(url)
    assert response.status_code == 422, response.content[:300]
    assert "Null characters are not allowed" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/persons/a%00b",
        "/api/v1/organizations/a%00b",
        "/api/v1/cases/a%00b",
        f"/api/v1/meetings/{HUGE}",
        f"/api/v1/proposals/{HUGE}/",
        "/api/v1/meetings/0",
    ],
)
def test_nul_or_a_huge_id_in_the_path_is_a_4xx(api, url):
    response = api.get(url)
    assert response.status_code in (404, 422), response.content[:300]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/persons/no-such-person",
        "/api/v1/organizations/no-such-body",
        "/api/v1/cases/no-such-case",
        "/api/v1/meetings/123456",
        "/api/v1/proposals/123456/",
    ],
)
def test_a_missing_row_is_a_404_as_documented(api, url):
    response = api.get(url)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


def test_openapi_describes_what_the_api_answers(api):
    spec = api.get("/api/v1/openapi.json").json()
    operations = [op for path in spec["paths"].values() for op in path.values()]
    assert len(operations) >= 12
    for path, item in spec["paths"].items():
        for operation in item.values():
            if path.endswith("popolo.json"):
                continue
            assert "422" in operation["responses"], path
            if "{" in path:
                assert "404" in operation["responses"], path
    page = next(
        p for p in spec["paths"]["/api/v1/persons"]["get"]["parameters"] if p["name"] == "page"
    )
    assert page["schema"]["maximum"] == 1_000_000
    case_out = spec["components"]["schemas"]["ProposalCaseOut"]
    assert "diary_number" not in case_out.get("required", [])


@pytest.mark.parametrize(
    "url",
    [
        "/politicians/?page=" + HUGE,
        "/politicians/?q=a%00b",
        "/politicians/?party=a%00b",
        "/bodies/?page=" + HUGE,
        "/meetings/?page=" + HUGE,
        "/meetings/?organization=a%00b",
        "/search/?q=a%00b",
        "/proposals/?page=" + HUGE,
        "/proposals/?status=a%00b",
        "/proposals/?topic=a%00b",
        "/proposals/?q=a%00b",
    ],
)
def test_html_lists_take_the_same_input_without_a_server_error(api, url):
    assert api.get(url).status_code < 500
