"""Messages between a patient and their care team, the clinicians' time log, and the RTM report."""

import datetime as dt

from django.http import Http404, HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from core.localtime import local_now
from core.permissions import ADMIN, CLINICIANS, PATIENT, PHYSIO, only_for, role_of
from patients.audit import AuditedView, audit_record
from patients.clinics import clinic_of_user
from patients.scope import patient_of, patients_for_user, scoped_patient

from . import services
from .clinic import clinic_settings
from .models import Message
from .report import rtm_csv, rtm_report
from .selectors import message_inbox, messages_in_scope
from .serializers import (
    ClinicMessagingSerializer,
    InboxRowSerializer,
    MessageCreateSerializer,
    MessageListQuery,
    MessageSentSerializer,
    MessageSerializer,
    RtmQuery,
    RtmReportSerializer,
    TimeEntrySerializer,
)

EARLIEST_YEAR = 2000
CONFLICT = "This client_id was already used for a different message: it was not stored again."


def _conversation_of(request, data, unnamed: str):
    """Whose conversation: a patient's own; staff name a patient in their scope (else 400 ``unnamed``, or 404)."""
    if role_of(request.user) == PATIENT:
        return patient_of(request)
    if "patient" not in data:
        raise ValidationError({"patient": [unnamed]})
    return scoped_patient(request, data["patient"])


class MessageViewSet(AuditedView, mixins.ListModelMixin, viewsets.GenericViewSet):
    """A patient's conversation with their care team, newest first (the app shows the newest at the bottom)."""

    serializer_class = MessageSerializer
    queryset = Message.objects.none()  # for the schema; the real one is per user

    def get_queryset(self):
        return messages_in_scope(user=self.request.user).order_by("-created_at", "-id")

    @extend_schema(
        parameters=[
            OpenApiParameter("patient", int, description="Staff: whose conversation (required); a patient: their own"),
            OpenApiParameter("reason", str, description="Admins: why they read this conversation (required; audited)"),
        ]
    )
    def list(self, request, *args, **kwargs):
        query = MessageListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        patient = _conversation_of(request, q, "Name the patient whose conversation to read.")
        admin = role_of(request.user) == ADMIN
        if admin and not q.get("reason", "").strip():
            raise ValidationError({"reason": ["An admin reads a conversation with a reason (it is audited)."]})
        page = self.paginate_queryset(self.get_queryset().filter(patient=patient))
        if admin:  # one row that keeps the reason stands for this read
            self.audited.clear()
            what = f"messages: {q['reason'].strip()}"
            audit_record(user=request.user, patient_ids=[patient.id], action="read", what=what)
        return self.get_paginated_response(MessageSerializer(page, many=True).data)

    @extend_schema(
        request=MessageCreateSerializer,
        responses={201: MessageSentSerializer, 200: MessageSentSerializer},
    )
    def create(self, request):
        body = MessageCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        patient = _conversation_of(request, data, "Name the patient to write to.")
        if role_of(request.user) != PATIENT:
            self.audit(patient.id)
        if not data["body"].strip():
            raise ValidationError({"body": ["Write something."]})
        outcome = services.message_send(
            patient=patient, author=request.user, body=data["body"], client_id=data.get("client_id")
        )
        if outcome.status == "conflict":
            return Response({"client_id": [CONFLICT]}, status=status.HTTP_409_CONFLICT)
        message = messages_in_scope(user=request.user).get(pk=outcome.message.pk)
        answer = dict(MessageSerializer(message).data)
        answer["notice"] = MessageSerializer(outcome.notice).data if outcome.notice else None
        code = status.HTTP_201_CREATED if outcome.status == "created" else status.HTTP_200_OK
        return Response(answer, status=code)

    @extend_schema(request=None, responses=MessageSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Mark a message read by me (a read receipt; once)."""
        message = services.message_mark_read(message=self.get_object(), user=request.user)
        return Response(MessageSerializer(messages_in_scope(user=request.user).get(pk=message.pk)).data)

    @extend_schema(responses=InboxRowSerializer(many=True))
    @action(detail=False, methods=["get"], permission_classes=[only_for(*CLINICIANS)])
    def inbox(self, request):
        """Conversations in my scope: unread first, then the latest."""
        page = self.paginate_queryset(message_inbox(user=request.user))
        self.audit(*(p.id for p in page))
        return self.get_paginated_response(InboxRowSerializer(page, many=True).data)

    @extend_schema(responses=ClinicMessagingSerializer)
    @action(detail=False, methods=["get"])
    def clinic(self, request):
        """Opening hours, the expected reply time and the quick replies (of the user's clinic)."""
        clinic = clinic_settings(clinic_of_user(request.user))
        return Response(
            ClinicMessagingSerializer(
                {"open_now": clinic.is_open(), "timezone": clinic.timezone, "open_weekdays": clinic.open_weekdays,
                 "opens_at": f"{clinic.opens_at:%H:%M}", "closes_at": f"{clinic.closes_at:%H:%M}",
                 "reply_within_hours": clinic.reply_within_hours, "quick_replies": clinic.quick_replies,
                 "rtm_enabled": clinic.rtm_enabled}
            ).data
        )  # fmt: skip


class TimeEntryViewSet(AuditedView, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """The clinicians' time log: minutes per patient and activity, by hand or from the patient page's timer."""

    permission_classes = [only_for(*CLINICIANS)]
    serializer_class = TimeEntrySerializer

    def create(self, request, *args, **kwargs):
        body = TimeEntrySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        patient = scoped_patient(request, data["patient_id"])
        now = timezone.now()
        started_at = data.get("started_at") or now - dt.timedelta(minutes=data["minutes"])
        if started_at > now + dt.timedelta(minutes=5):
            raise ValidationError({"started_at": ["Time not yet spent cannot be logged."]})
        if started_at.year < EARLIEST_YEAR:
            raise ValidationError({"started_at": [f"Give a time from {EARLIEST_YEAR} on."]})
        entry = services.time_entry_create(
            patient=patient, clinician=request.user, activity=data["activity"], minutes=data["minutes"],
            started_at=started_at, note=data.get("note", ""),
        )  # fmt: skip
        self.audit(patient.id)
        return Response(TimeEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class CSVRenderer(JSONRenderer):
    """Negotiates ``?format=csv``; the view writes the CSV itself (errors stay JSON)."""

    media_type = "text/csv"
    format = "csv"


RTM_PARAMS = [
    OpenApiParameter("month", str, description="YYYY-MM (default: this month at the clinic)"),
    OpenApiParameter("format", str, enum=["json", "csv"], description="csv: one line per billable code"),
]
RTM_RESPONSES = {
    (200, "application/json"): RtmReportSerializer,
    (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR),
}


class _RtmView(AuditedView, APIView):
    permission_classes = [only_for(PHYSIO, ADMIN)]
    renderer_classes = [JSONRenderer, CSVRenderer]

    def perform_content_negotiation(self, request, force=False):
        try:
            return super().perform_content_negotiation(request, force)
        except Http404:  # an unknown ?format= reaches the query check, which names it
            return JSONRenderer(), "application/json"

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        self.request.accepted_renderer, self.request.accepted_media_type = JSONRenderer(), "application/json"
        return response

    def answer(self, request, patients, name: str):
        query = RtmQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        clinic = clinic_settings(clinic_of_user(request.user))
        month = query.validated_data.get("month") or local_now(clinic.timezone).strftime("%Y-%m")
        report = rtm_report(patients=patients, month=month)
        self.audit(*(row["patient"] for row in report["patients"]))
        if query.validated_data.get("format") == "csv":
            response = HttpResponse(rtm_csv(report), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="rtm-{name}-{month}.csv"'
            return response
        return Response(RtmReportSerializer(report).data)


class RtmReportView(_RtmView):
    """The clinic's RTM report for a month: every patient in scope."""

    @extend_schema(parameters=RTM_PARAMS, responses=RTM_RESPONSES)
    def get(self, request):
        return self.answer(request, list(patients_for_user(request.user)), "clinic")


class PatientRtmView(_RtmView):
    """One patient's RTM report for a month."""

    @extend_schema(parameters=RTM_PARAMS, responses=RTM_RESPONSES)
    def get(self, request, pk):
        patient = scoped_patient(request, pk)
        return self.answer(request, [patient], f"patient-{patient.id}")
