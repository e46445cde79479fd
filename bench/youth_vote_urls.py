"""Delta's URLs plus the benchmark's baseline: a bare view doing one raw INSERT."""

import uuid

from django.db import connection
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from democracy.urls import urlpatterns as delta_urlpatterns


@csrf_exempt
def bare_insert(request):
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_youth_vote_insert (id) VALUES (%s)", [uuid.uuid4()])
    return HttpResponse(status=204)


urlpatterns = [path("bench/bare-insert/", bare_insert), *delta_urlpatterns]
