"""The project's URLs plus the floors the two commonest patient requests are measured against (bench only).

Two floors, both behind the same JWT authentication, middleware and throttles as every API view:
- ``/floor/drf/``: what a DRF team would write for the same job, and the floor the targets are set against. The
  POST validates the body with a ``ModelSerializer`` and stores the set with the ORM's ``create``; the GET reads
  the same rows as ``GET /api/v1/today/`` (the current program, its open red flag, today's sets) with the ORM
  and renders them with ``ModelSerializer``s. No hand-written SQL.
- ``/floor/raw/``: the least an authenticated DRF view can cost, the limit: a constant GET, a one-row INSERT
  through a raw cursor on POST.
"""

from django.db import connection
from django.urls import include, path
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.localtime import local_today
from exercises.models import CURRENT_STATUSES, Program, SetLog
from notifications.models import Flag, FlagKind
from rehab_tracker.urls import urlpatterns as project


class FloorSetSerializer(serializers.ModelSerializer):
    class Meta:
        model = SetLog
        fields = ["id", "client_id", "date", "exercise", "reps", "load_kg", "pain", "session", "side", "week"]
        read_only_fields = ["id", "side", "week"]


class FloorProgramSerializer(serializers.ModelSerializer):
    class Meta:
        model = Program
        fields = ["id", "protocol", "start_date", "end_date", "status", "loads", "training_weekdays"]


class DRFFloorView(APIView):
    """The same jobs as ``POST /api/v1/logs/`` and ``GET /api/v1/today/``, written the plain DRF way."""

    def post(self, request):
        patient = request.user.patient  # joined by the JWT user's query, as for the project's views
        serializer = FloorSetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        program = Program.objects.filter(patient=patient, status__in=CURRENT_STATUSES).first()
        day = serializer.validated_data["date"]
        serializer.save(patient=patient, program=program, week=program.week_on(day), side=patient.side)
        return Response(serializer.data, status=201)

    def get(self, request):
        patient = request.user.patient
        today = local_today(patient.timezone)
        program = (
            Program.objects.filter(patient=patient, status__in=CURRENT_STATUSES).prefetch_related("pauses").first()
        )
        red_flag = Flag.objects.open().filter(patient=patient, kind=FlagKind.RED_FLAG).exists()
        sets = SetLog.objects.filter(patient=patient, date=today)
        return Response(
            {
                "date": today,
                "week": program.week_on(today) if program else None,
                "red_flag": red_flag,
                "program": FloorProgramSerializer(program).data if program else None,
                "sets": FloorSetSerializer(sets, many=True).data,
            }
        )


class RawFloorView(APIView):
    """GET: a constant answer; POST: one row inserted with a raw cursor. The limit, not the target."""

    def get(self, request):
        return Response({"ok": True})

    def post(self, request):
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_floor (body) VALUES (%s) RETURNING id", [str(request.data)[:500]])
            (row_id,) = cursor.fetchone()
        return Response({"id": row_id}, status=201)


urlpatterns = [
    path("floor/drf/", DRFFloorView.as_view()),
    path("floor/raw/", RawFloorView.as_view()),
    path("", include(project)),
]
