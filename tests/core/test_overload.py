"""Overload answers (decision 75): a request that waited too long for a server thread, and one
that found every pooled database connection busy, get 503 with Retry-After, not 500."""

import time

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_request_that_waited_longer_than_the_queue_timeout_is_answered_503_with_retry_after(
    settings,
):
    settings.REQUEST_QUEUE_TIMEOUT = 3
    settings.BUSY_RETRY_AFTER = 7
    client = Client()
    response = client.get("/", HTTP_X_REQUEST_START=f"t={time.time() - 4:.3f}")
    assert response.status_code == 503
    assert response["Retry-After"] == "7"
    assert response["Cache-Control"] == "no-store"
    assert "Försök igen om en liten stund" in response.content.decode()
    assert "sessionid" not in response.cookies


def test_a_request_passed_on_in_time_is_served(settings):
    settings.REQUEST_QUEUE_TIMEOUT = 3
    client = Client()
    assert client.get("/", HTTP_X_REQUEST_START=f"t={time.time() - 1:.3f}").status_code == 200
    # No stamp (make run, no proxy) or a broken one: nothing is shed.
    assert client.get("/").status_code == 200
    assert client.get("/", HTTP_X_REQUEST_START="t=soon").status_code == 200


def test_a_zero_queue_timeout_sheds_nothing(settings):
    settings.REQUEST_QUEUE_TIMEOUT = 0
    response = Client().get("/", HTTP_X_REQUEST_START=f"t={time.time() - 3600:.3f}")
    assert response.status_code == 200


@pytest.mark.urls("tests.core.overload_urls")
def test_a_database_pool_timeout_is_answered_503_with_retry_after(settings):
    settings.DEBUG = False
    settings.BUSY_RETRY_AFTER = 5
    client = Client(raise_request_exception=False)
    response = client.get("/test/pool-exhausted/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Försök igen om en liten stund" in response.content.decode()


@pytest.mark.urls("tests.core.overload_urls")
def test_other_database_errors_stay_server_errors(settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    response = client.get("/test/database-down/")
    assert response.status_code == 500
    assert not response.has_header("Retry-After")
