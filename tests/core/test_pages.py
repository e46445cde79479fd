import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    "core:home",
    "core:accessibility",
    "core:privacy",
    "account_login",
    "account_signup",
]


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_page_is_swedish_by_default(client, name):
    response = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="sv" dir="ltr">' in html
    assert 'href="#main"' in html  # skip link
    assert '<main id="main"' in html
    assert response["Content-Language"] == "sv"


def test_language_switch_changes_language_and_html_lang(client):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("core:accessibility")}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("core:accessibility")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get(reverse("core:accessibility")).content.decode()
    assert '<html lang="en" dir="ltr">' in page
    assert "Accessibility statement" in page
    client.post(reverse("set_language"), {"language": "sv", "next": "/"})
    page = client.get(reverse("core:accessibility")).content.decode()
    assert '<html lang="sv" dir="ltr">' in page
    assert "Tillgänglighetsredogörelse" in page


def test_unknown_language_cookie_falls_back_to_swedish(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert '<html lang="sv" dir="ltr">' in client.get("/").content.decode()


def test_strict_content_security_policy(client):
    csp = client.get("/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert "'unsafe-inline'" not in csp
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"


def test_pages_have_no_inline_script_or_style(client, resident):
    client.force_login(resident)
    for url in [
        "/",
        reverse("core:accessibility"),
        reverse("core:privacy"),
        reverse("accounts:overview"),
    ]:
        html = client.get(url).content.decode()
        assert "<script>" not in html and "<script " not in html.replace("<script src=", ""), url
        assert " style=" not in html, url
        assert "<style" not in html, url


def test_home_shows_upcoming_meetings_and_latest_decisions(client):
    from django.core.management import call_command

    call_command("seed_demo", stdout=open("/dev/null", "w"))
    response = client.get("/")
    assert len(response.context["upcoming_meetings"]) == 5
    decisions = list(response.context["latest_decisions"])
    assert len(decisions) == 5
    starts = [item.meeting.start for item in decisions]
    assert starts == sorted(starts, reverse=True)
    html = response.content.decode()
    for item in decisions:
        assert item.title in html


def test_not_found_page_is_friendly(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Sidan kunde inte hittas" in response.content.decode()


def test_site_policy_is_django_csp_s_own_and_per_response_parts_still_apply(
    rf, settings, monkeypatch
):
    """The policy header is built once, with django-csp's own builder; a response carrying
    its own parts (as ``@csp_update`` would set) and a changed setting are honoured."""
    from csp.utils import build_policy
    from django.http import HttpResponse

    from democracy.core.middleware import CSPMiddleware

    plain = CSPMiddleware(lambda request: HttpResponse("ok"))
    assert plain(rf.get("/"))["Content-Security-Policy"] == build_policy()

    def not_again(*args, **kwargs):
        raise AssertionError("the site policy was built again for a plain response")

    monkeypatch.setattr("csp.middleware.build_policy", not_again)
    assert plain(rf.get("/"))["Content-Security-Policy"] == build_policy()
    monkeypatch.undo()

    def updated_view(request):
        response = HttpResponse("ok")
        response._csp_update = {"img-src": ["https://images.example.org"]}
        return response

    header = CSPMiddleware(updated_view)(rf.get("/"))["Content-Security-Policy"]
    assert "https://images.example.org" in header and "images.example.org" not in build_policy()

    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {**settings.CONTENT_SECURITY_POLICY["DIRECTIVES"], "img-src": ["'none'"]}
    }
    assert "img-src 'none'" in plain(rf.get("/"))["Content-Security-Policy"]
