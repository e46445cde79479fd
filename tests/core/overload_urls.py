"""Delta's URLs plus two views that fail the way an overloaded database fails (the test for
decision 75): the psycopg pool timeout, wrapped by Django's own database error wrapper as a
real query would be, and another OperationalError for comparison."""

from django.db import connection
from django.db.utils import DatabaseErrorWrapper
from django.urls import path
from psycopg_pool import PoolTimeout

from democracy.urls import handler500  # noqa: F401 -- the error page under test
from democracy.urls import urlpatterns as delta_urlpatterns


def pool_exhausted(request):
    import psycopg

    with DatabaseErrorWrapper(connection):
        raise PoolTimeout("couldn't get a connection after 5.00 sec") from psycopg.OperationalError


def database_down(request):
    import psycopg

    with DatabaseErrorWrapper(connection):
        raise psycopg.OperationalError("connection refused")


urlpatterns = [
    path("test/pool-exhausted/", pool_exhausted),
    path("test/database-down/", database_down),
    *delta_urlpatterns,
]
