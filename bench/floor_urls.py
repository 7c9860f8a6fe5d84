"""The project's URLs plus two floors: the least a DRF view with JWT authentication can cost (bench only)."""

from django.db import connection
from django.urls import include, path
from rest_framework.response import Response
from rest_framework.views import APIView

from rehab_tracker.urls import urlpatterns as project


class FloorView(APIView):
    """GET: a constant answer; POST: one row inserted. Authenticated like every API view (JWT)."""

    def get(self, request):
        return Response({"ok": True})

    def post(self, request):
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_floor (body) VALUES (%s) RETURNING id", [str(request.data)[:500]])
            (row_id,) = cursor.fetchone()
        return Response({"id": row_id}, status=201)


urlpatterns = [path("floor/", FloorView.as_view()), path("", include(project))]
