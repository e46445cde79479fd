"""The baseline view: a POST that inserts one row with a raw cursor and answers 204."""

from django.db import connection
from django.http import HttpResponse
from django.urls import path
from django.utils.timezone import now as timezone_now
from django.views.decorators.csrf import csrf_exempt

TABLE = "bench_sign_baseline"


@csrf_exempt
def insert(request):
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (proposal_id, user_id, created_at) VALUES (%s, %s, %s)",  # noqa: S608 -- constant table name
            [
                int(request.POST.get("proposal", 0)),
                int(request.POST.get("user", 0)),
                timezone_now(),
            ],
        )
    return HttpResponse(status=204)


urlpatterns = [path("bench/insert/", insert)]
