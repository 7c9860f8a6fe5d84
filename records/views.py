"""A patient's record for clinicians: timeline, clinical notes, exports; and the audit trail for admins."""

import datetime as dt

from django.db import IntegrityError
from django.db.models import Q
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from core.localtime import local_today
from core.permissions import CLINICIANS, only_for, role_of, writes_for
from core.query_params import AnyDateRangeQuery, DateRangeQuery, StrictQuery, id_param
from exercises.models import CURRENT_STATUSES
from exercises.protocols import ProtocolSlug
from notifications.models import FlagKind
from notifications.selectors import open_flag_exists
from patients import services
from patients.audit import AuditedView
from patients.models import AuditEvent, ClinicalNote, Role
from patients.scope import clinic_for_new_patient, patients_for_user, scoped_patient
from patients.serializers import PatientCreateSerializer, PatientIdentityFields, SideChangeSerializer

from .caseload import caseload_queryset, order_by_risk, with_caseload_figures
from .export import csv_rows, fhir_bundle
from .serializers import PatientSerializer
from .summary import summary_pdf
from .timeline import timeline

FROM_TO = [
    OpenApiParameter("from", dt.date, description="First date, 2000-01-01 to 2099-12-31; not after `to`"),
    OpenApiParameter("to", dt.date, description="Last date, 2000-01-01 to 2099-12-31"),
]


def _timeline_schema():
    """The timeline's shape for the schema (the view sends plain values built by ``records.timeline``)."""
    f = serializers
    flag = inline_serializer("TimelineFlag", {"id": f.IntegerField(), "kind": f.ChoiceField(FlagKind.choices),
                                              "level": f.CharField(), "status": f.CharField(),
                                              "reason": f.CharField()}, many=True)  # fmt: skip
    reminder = inline_serializer(
        "TimelineReminder",
        {"slot": f.CharField(help_text="HH:MM, patient-local"), "status": f.CharField(),
         "skip_reason": f.CharField(help_text="Why it was skipped; empty when sent")},
        many=True,
    )  # fmt: skip
    change = inline_serializer(
        "TimelineProgramChange",
        {"field": f.CharField(), "old": f.JSONField(help_text="Any JSON value"),
         "new": f.JSONField(help_text="Any JSON value"), "by": f.IntegerField(allow_null=True),
         "at": f.DateTimeField()},
        many=True,
    )  # fmt: skip
    note = inline_serializer("TimelineNote", {"id": f.IntegerField(), "author": f.IntegerField(allow_null=True),
                                              "text": f.CharField()}, many=True)  # fmt: skip
    day = inline_serializer(
        "TimelineDay",
        {
            "date": f.DateField(),
            "status": f.ChoiceField(["finished", "in_progress", "upcoming"]),
            "prescribed_sets": f.IntegerField(),
            "completed_sets": f.FloatField(help_text="Reps-weighted"),
            "sets_logged": f.IntegerField(),
            "pain_mean": f.FloatField(allow_null=True),
            "pain_max": f.IntegerField(allow_null=True),
            "morning_pain": f.IntegerField(allow_null=True),
            "morning_stiffness_minutes": f.IntegerField(allow_null=True),
            "red_flags": f.ListField(child=f.CharField()),
            "visa_a": f.IntegerField(allow_null=True),
            "flags": flag,
            "reminders": reminder,
            "program_changes": change,
            "notes": note,
        },
        many=True,
    )
    return inline_serializer(
        "Timeline",
        {"patient": f.IntegerField(), "program": f.IntegerField(allow_null=True), "from": f.DateField(),
         "to": f.DateField(), "days": day},
    )  # fmt: skip


class TimelineView(AuditedView, APIView):
    """Per day: prescribed and completed sets, exercise pain, morning pain and stiffness, VISA-A,
    flags, reminders, program changes and clinical notes."""

    permission_classes = [only_for(*CLINICIANS)]

    @extend_schema(parameters=FROM_TO, responses=_timeline_schema())
    def get(self, request, pk):
        patient = scoped_patient(request, pk)
        query = DateRangeQuery.read(request.query_params)
        if "date_to" not in query and query.get("date_from", dt.date.min) > local_today(patient.timezone):
            raise ValidationError({"from": ["'from' must not be after 'to' (today, when 'to' is not given)."]})
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

    def perform_content_negotiation(self, request, force=False):
        """An unknown ``?format=`` reaches the view, which answers 400 naming it (not DRF's 404)."""
        try:
            return super().perform_content_negotiation(request, force)
        except Http404:
            return JSONRenderer(), "application/json"

    def handle_exception(self, exc):
        """Errors stay JSON whatever ``?format=`` asked for."""
        response = super().handle_exception(exc)
        self.request.accepted_renderer, self.request.accepted_media_type = JSONRenderer(), "application/json"
        return response

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=["csv", "fhir"], required=True), *FROM_TO],
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR),
                   (200, "application/fhir+json"): OpenApiResponse({"$ref": "#/components/schemas/FhirBundle"})},
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


class PDFRenderer(BaseRenderer):
    media_type, format, charset, render_style = "application/pdf", "pdf", None, "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class SummaryView(AuditedView, APIView):
    """The discharge summary as a PDF: program, adherence by week, pain and VISA-A charts, flags and decisions,
    what comes next (audited like every export)."""

    permission_classes = [only_for(*CLINICIANS)]
    renderer_classes = [PDFRenderer, JSONRenderer]

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        self.request.accepted_renderer, self.request.accepted_media_type = JSONRenderer(), "application/json"
        return response

    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)})
    def get(self, request, pk):
        patient = scoped_patient(request, pk)
        self.audit(patient.id)
        pdf = summary_pdf(patient, today=local_today(patient.timezone))
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="summary-patient-{patient.id}.pdf"'
        return response


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = ["id", "at", "user", "patient", "action", "what"]
        read_only_fields = fields


@extend_schema(parameters=[OpenApiParameter("patient", int), OpenApiParameter("user", int)])
class AuditEventListView(generics.ListAPIView):
    """Admins only, their clinics' patients; the trail cannot be changed through any interface."""

    permission_classes = [only_for(Role.ADMIN)]
    serializer_class = AuditEventSerializer

    def get_queryset(self):
        events = AuditEvent.objects.filter(patient_id__in=patients_for_user(self.request.user).values("id"))
        for name in ("patient", "user"):
            value = id_param(self.request.query_params, name)
            if value is not None:
                events = events.filter(**{f"{name}_id": value})
        return events


CASELOAD_PARAMS = [
    OpenApiParameter("ordering", str, enum=["id", "risk"], description="risk: red flags, physician flags, adherence"),
    OpenApiParameter("protocol", str, enum=ProtocolSlug.values),
    OpenApiParameter("flag_kind", str, enum=FlagKind.values, description="Patients with an open flag of this kind"),
    OpenApiParameter("flagged", bool, description="true: patients with any unresolved flag"),
    OpenApiParameter("week", int, description="Program week 1-12"),
    OpenApiParameter("search", str, description="Part of the patient's name, record number or username, any case"),
]


class CaseloadQuery(StrictQuery):
    ordering = serializers.ChoiceField(choices=["id", "risk"], required=False, default="id")
    protocol = serializers.ChoiceField(choices=ProtocolSlug.choices, required=False)
    flag_kind = serializers.ChoiceField(choices=FlagKind.choices, required=False)
    flagged = serializers.BooleanField(required=False, default=False)
    week = serializers.IntegerField(min_value=1, max_value=12, required=False)
    search = serializers.CharField(max_length=100, required=False, trim_whitespace=True)


@method_decorator(sensitive_post_parameters("password"), name="dispatch")  # a Django request: before DRF's
@method_decorator(sensitive_variables(), name="create")
class PatientViewSet(
    AuditedView, mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Caseload (staff), self (patient), and patient creation by a physio."""

    permission_classes = [writes_for(Role.PHYSIO, Role.ADMIN)]
    serializer_class = PatientSerializer

    def get_queryset(self):
        return caseload_queryset(self.request.user)

    @extend_schema(parameters=CASELOAD_PARAMS)
    def list(self, request, *args, **kwargs):
        query = CaseloadQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        patients = self.get_queryset()
        if "protocol" in q:
            patients = patients.filter(programs__protocol=q["protocol"], programs__status__in=CURRENT_STATUSES)
        if "flag_kind" in q:
            patients = patients.filter(open_flag_exists(kind=q["flag_kind"]))
        if q["flagged"]:
            patients = patients.filter(open_flag_exists())
        if q.get("search"):
            term = q["search"]
            patients = patients.filter(
                Q(user__username__icontains=term)
                | Q(user__first_name__icontains=term)
                | Q(user__last_name__icontains=term)
                | Q(record_number__icontains=term)
            )
        if q["ordering"] == "risk":  # ordered and cut in SQL; figures for the page only
            patients = order_by_risk(patients)
        if "week" in q:  # the week depends on pauses: computed for the whole (filtered) caseload
            rows = [p for p in with_caseload_figures(list(patients)) if p.week == q["week"]]
            page = self.paginate_queryset(rows)
        else:
            page = with_caseload_figures(list(self.paginate_queryset(patients)))
        self.audit(*(p.id for p in page))
        return self.get_paginated_response(PatientSerializer(page, many=True).data)

    def get_object(self):
        patient = with_caseload_figures([super().get_object()])[0]
        self.audit(patient.id)  # a Patient has no patient_id of its own
        return patient

    @extend_schema(request=PatientIdentityFields, responses=PatientSerializer)
    def partial_update(self, request, *args, **kwargs):
        """Correct the patient's identity (physio, admin): only the fields given change."""
        patient = super().get_object()
        body = PatientIdentityFields(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        changes = dict(body.validated_data)
        if not changes:
            raise ValidationError({"non_field_errors": ["Give at least one field to change."]})
        try:
            services.patient_identity_update(patient=patient, **changes)
        except services.IdentityConflict as exc:
            raise ValidationError({exc.field: [str(exc)]}) from exc
        return Response(PatientSerializer(self.get_object()).data)

    @extend_schema(request=SideChangeSerializer, responses=PatientSerializer)
    @action(detail=True, methods=["post"])
    def side(self, request, pk=None):
        """The other tendon starts hurting (``both``), or one settles: the side from ``effective_from`` on.
        Adherence before that date keeps the side it had."""
        patient = super().get_object()
        body = SideChangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        today = local_today(patient.timezone)
        try:
            services.patient_side_change(
                patient=patient,
                side=body.validated_data["side"],
                effective_from=body.validated_data.get("effective_from", today),
                today=today,
            )
        except services.SideChangeError as exc:
            raise ValidationError({exc.field: [str(exc)]}) from exc
        return Response(PatientSerializer(self.get_object()).data)

    @extend_schema(request=PatientCreateSerializer, responses={201: PatientSerializer})
    def create(self, request, *args, **kwargs):
        serializer = PatientCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        physio = data.pop("physio", None)
        if role_of(request.user) == Role.PHYSIO:
            physio = request.user
        elif physio is None:
            raise ValidationError({"physio": ["An admin must name the patient's physio."]})
        data["clinic"] = clinic_for_new_patient(user=request.user, clinic=data.get("clinic"), physio=physio,
                                                physician=data["physician"])  # fmt: skip
        try:
            patient = services.patient_create(physio=physio, **data)
        except services.IdentityConflict as exc:
            raise ValidationError({exc.field: [str(exc)]}) from exc
        except IntegrityError as exc:  # the same username in a racing request
            raise ValidationError({"username": ["This username is taken."]}) from exc
        self.audit(patient.id)
        patient = with_caseload_figures([self.get_queryset().get(pk=patient.pk)])[0]
        return Response(PatientSerializer(patient).data, status=status.HTTP_201_CREATED)
