"""After a form comes back from the server with errors, the focus moves to them (WCAG 3.3.1,
4.1.3; issue 12): keyboard and screen-reader users learn at once that something needs fixing,
on every page that extends the base template (the booth places its own focus)."""

import pytest
from django.urls import reverse

from tests.people.factories import OrganizationFactory, politician

pytestmark = pytest.mark.browser


def _focused(page) -> dict:
    return page.evaluate(
        """() => { const el = document.activeElement;
          return { tag: el.tagName.toLowerCase(), name: el.getAttribute('name'),
                   invalid: el.getAttribute('aria-invalid'),
                   summary: el.hasAttribute('data-form-errors') }; }"""
    )


def test_the_contact_form_moves_the_focus_to_the_first_wrong_field(page, live_app, assert_accessible):
    person = politician(body=OrganizationFactory())
    page.goto(live_app(reverse("people:politician-contact", args=[person.slug])))
    page.fill("input[name=name]", "Rut Resident")
    page.fill("input[name=email]", "inte-en-adress")
    page.fill("input[name=subject]", "Cykelvägen")
    page.fill("textarea[name=body]", "Min text")
    page.get_by_role("button", name="Skicka meddelandet").click()
    page.wait_for_selector(".errorlist")
    page.wait_for_load_state()
    focused = _focused(page)
    assert (focused["name"], focused["invalid"]) == ("email", "true")
    assert page.input_value("textarea[name=body]") == "Min text"  # nothing written is lost
    assert_accessible(page)


def test_the_sign_up_form_moves_the_focus_to_its_errors(page, live_app):
    page.goto(live_app(reverse("account_signup")))
    page.fill("input[name=email]", "ny@example.org")
    page.fill("input[name=password1]", "kort")
    page.fill("input[name=password2]", "kort")
    page.press("input[name=password2]", "Enter")
    page.wait_for_selector("[aria-invalid='true'], .errorlist")
    page.wait_for_load_state()
    focused = _focused(page)
    assert focused["tag"] != "body", focused
    assert focused["invalid"] == "true" or focused["summary"] or focused["tag"] == "ul"
