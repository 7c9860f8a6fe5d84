"""A patient's record for clinicians: timeline, clinical notes, exports; and the audit trail for admins."""

import datetime as dt

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from rehab_tracker.permissions import only_for
from rehab_tracker.queries import AnyDateRangeQuery, DateRangeQuery, id_param

from .audit import AuditedView
from .export import csv_rows, fhir_bundle
from .models import AuditEvent, ClinicalNote, Role
from .timeline import timeline
from .views import scoped_patient

CLINICIANS = (Role.PHYSIO, Role.PHYSICIAN, Role.ADMIN)
FROM_TO = [
    OpenApiParameter("from", dt.date, description="First date, 2000-01-01 to 2099-12-31; not after `to`"),
    OpenApiParameter("to", dt.date, description="Last date, 2000-01-01 to 2099-12-31"),
]


class TimelineView(AuditedView, APIView):
    """Per day: prescribed and completed sets, exercise pain, morning pain and stiffness, VISA-A,
    flags, reminders, program changes and clinical notes."""

    permission_classes = [only_for(*CLINICIANS)]

    @extend_schema(parameters=FROM_TO, responses=OpenApiTypes.OBJECT)
    def get(self, request, pk):
        patient = scoped_patient(request, pk)
        query = DateRangeQuery.read(request.query_params)
        self.audit(patient.id)
        return Response(timeline(patient, date_from=query.get("date_from"), date_to=query.get("date_to")))


class ClinicalNoteSerializer(serializers.ModelSerializer):
    text = serializers.CharField(max_length=5000)

    class Meta:
        model = ClinicalNote
        fields = ["id", "patient", "author", "text", "created_at"]
        read_only_fields = ["id", "patient", "author", "created_at"]


class ClinicalNotesView(AuditedView, generics.ListCreateAPIView):
    """Clinical notes on a patient, by the physio, the physician or an admin."""

    permission_classes = [only_for(*CLINICIANS)]
    serializer_class = ClinicalNoteSerializer
    queryset = ClinicalNote.objects.none()

    def get_queryset(self):
        patient = scoped_patient(self.request, self.kwargs["pk"])
        self.audit(patient.id)
        return ClinicalNote.objects.filter(patient=patient)

    def perform_create(self, serializer):
        patient = scoped_patient(self.request, self.kwargs["pk"])
        self.audit(patient.id)
        serializer.save(patient=patient, author=self.request.user)


class CSVRenderer(JSONRenderer):
    """Negotiates ``?format=csv``; the body is streamed by the view (errors stay JSON)."""

    media_type = "text/csv"
    format = "csv"


class FHIRRenderer(JSONRenderer):
    media_type = "application/fhir+json"
    format = "fhir"


class ExportView(AuditedView, APIView):
    """The patient's record: ``?format=csv`` (set logs, check-ins, VISA-A) or ``?format=fhir`` (R4 Bundle)."""

    permission_classes = [only_for(*CLINICIANS)]
    renderer_classes = [JSONRenderer, CSVRenderer, FHIRRenderer]

    def handle_exception(self, exc):
        """Errors stay JSON whatever ``?format=`` asked for."""
        response = super().handle_exception(exc)
        self.request.accepted_renderer, self.request.accepted_media_type = JSONRenderer(), "application/json"
        return response

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=["csv", "fhir"], required=True), *FROM_TO],
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR),
                   (200, "application/fhir+json"): OpenApiResponse(OpenApiTypes.OBJECT)},
    )  # fmt: skip
    def get(self, request, pk):
        patient = scoped_patient(request, pk)
        kind = request.query_params.get("format")
        if kind not in ("csv", "fhir"):
            raise serializers.ValidationError({"format": ["Use format=csv or format=fhir."]})
        query = AnyDateRangeQuery.read(request.query_params)
        query.pop("patient", None)
        self.audit(patient.id)
        if kind == "csv":
            response = StreamingHttpResponse(csv_rows(patient, **query), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="patient-{patient.id}.csv"'
        else:
            response = StreamingHttpResponse(fhir_bundle(patient, **query), content_type="application/fhir+json")
        return response


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = ["id", "at", "user", "patient", "action", "what"]
        read_only_fields = fields


@extend_schema(parameters=[OpenApiParameter("patient", int), OpenApiParameter("user", int)])
class AuditEventListView(generics.ListAPIView):
    """Admins only; the trail cannot be changed through any interface."""

    permission_classes = [only_for(Role.ADMIN)]
    serializer_class = AuditEventSerializer

    def get_queryset(self):
        events = AuditEvent.objects.all()
        for name in ("patient", "user"):
            value = id_param(self.request.query_params, name)
            if value is not None:
                events = events.filter(**{f"{name}_id": value})
        return events
