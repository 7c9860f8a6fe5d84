from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import get_language_from_request
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.permissions import only_for, role_of, writes_for
from core.query_params import id_param

from . import services
from .audit import AuditedView
from .models import CheckIn, Patient, Role, User, VisaA
from .scope import patient_of, patients_for_user
from .serializers import (
    CHECKIN_BACK_DAYS,
    VISA_A_BACK_DAYS,
    CheckInSerializer,
    VisaASerializer,
    resolve_local_date,
)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    role = serializers.CharField(read_only=True)
    patient = serializers.IntegerField(read_only=True, allow_null=True)
    language = serializers.ChoiceField(
        choices=[("", ""), *settings.LANGUAGES],
        help_text="The language of the server's texts for this user (blank: the request's Accept-Language).",
    )


class MeView(APIView):
    def _body(self, request):
        patient = Patient.objects.filter(user=request.user).values_list("id", flat=True).first()
        user = request.user
        return {"id": user.id, "username": user.username, "role": role_of(user), "patient": patient,
                "language": user.language}  # fmt: skip

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(self._body(request))

    @extend_schema(request=MeSerializer, responses=MeSerializer)
    def patch(self, request):
        """Choose the language the server writes in for this user (the app's language choice)."""
        serializer = MeSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        if "language" in serializer.validated_data:
            services.user_language_set(user=request.user, language=serializer.validated_data["language"])
            translation.activate(request.user.language or get_language_from_request(request))
        return Response(self._body(request))


class ClinicianListView(APIView):
    """``GET /api/v1/clinicians/?role=physician``: who a physio or an admin can name as a patient's physician;
    ``?role=physio``: who an admin can name as a patient's physio (admins only: a physio enrols under
    themselves and has no use for the clinic's list of physios). Ids and usernames only."""

    permission_classes = [only_for(Role.PHYSIO, Role.ADMIN)]

    @extend_schema(
        parameters=[OpenApiParameter("role", str, enum=[Role.PHYSIO, Role.PHYSICIAN])],
        responses=inline_serializer(
            "Clinician", {"id": serializers.IntegerField(), "username": serializers.CharField()}, many=True
        ),
    )
    def get(self, request):
        role = request.query_params.get("role", Role.PHYSICIAN)
        if role not in (Role.PHYSIO, Role.PHYSICIAN):
            raise ValidationError({"role": ["One of physio, physician."]})
        if role == Role.PHYSIO and role_of(request.user) != Role.ADMIN:
            raise PermissionDenied("The list of physios is for admins.")
        users = User.objects.filter(role=role, is_active=True).order_by("username").values("id", "username")
        return Response(list(users))


PATIENT_PARAM = OpenApiParameter("patient", int, description="Patient id (staff roles)")


class PatientScopedListMixin:
    """A list of one model's rows in scope, narrowed with ``?patient=``."""

    model = None

    def get_queryset(self):
        rows = self.model.objects.filter(patient__in=patients_for_user(self.request.user))
        patient = id_param(self.request.query_params, "patient")
        if patient is not None:
            rows = rows.filter(patient_id=patient)
        return rows.order_by("date", "id")


REUSED_CLIENT_ID = "This client_id was already used for a different entry: it was not stored again."


class ClientIdCreateMixin:
    """An offline client may send a ``client_id`` with an entry and send it again after a lost answer: the
    same id and body answer 200 with the stored record (nothing stored twice), the same id with another body
    409. A race of two equal requests stores one row: the loser's insert fails on the unique id and replays."""

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        client_id = serializer.validated_data.get("client_id")
        stored = self.model.objects.filter(client_id=client_id).first() if client_id else None
        if stored is None:
            try:
                with transaction.atomic():
                    self.perform_create(serializer)
            except IntegrityError:
                stored = self.model.objects.filter(client_id=client_id).first() if client_id else None
                if stored is None:
                    raise
            else:
                return Response(serializer.data, status=status.HTTP_201_CREATED)
        if not self.same_entry(stored, serializer.validated_data):
            return Response({"client_id": [REUSED_CLIENT_ID]}, status=status.HTTP_409_CONFLICT)
        return Response(self.get_serializer(stored).data, status=status.HTTP_200_OK)

    def entry_patient(self, data) -> Patient:
        return patient_of(self.request)


class PatientEntryViewSet(
    ClientIdCreateMixin,
    AuditedView,
    PatientScopedListMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """A patient's entries of one kind: created (idempotent with a client_id) and listed in scope."""


@extend_schema_view(list=extend_schema(parameters=[PATIENT_PARAM]))
class CheckInViewSet(PatientEntryViewSet):
    permission_classes = [writes_for(Role.PATIENT)]
    serializer_class = CheckInSerializer
    model = CheckIn

    def perform_create(self, serializer):
        patient = patient_of(self.request)
        data = serializer.validated_data
        serializer.instance = services.checkin_create(  # reports a red flag in the same transaction
            patient=patient,
            date=resolve_local_date(patient, data.get("date"), back_days=CHECKIN_BACK_DAYS),
            morning_pain=data["morning_pain"],
            morning_stiffness_minutes=data["morning_stiffness_minutes"],
            red_flags=data.get("red_flags", []),
            client_id=data.get("client_id"),
        )

    def same_entry(self, stored: CheckIn, data) -> bool:
        return (
            stored.patient_id == self.entry_patient(data).id
            and ("date" not in data or stored.date == data["date"])
            and stored.morning_pain == data["morning_pain"]
            and stored.morning_stiffness_minutes == data["morning_stiffness_minutes"]
            and stored.red_flags == sorted(set(data.get("red_flags", [])))
        )


@extend_schema_view(list=extend_schema(parameters=[PATIENT_PARAM]))
class VisaAViewSet(PatientEntryViewSet):
    """VISA-A: a patient's own, or a physio's on behalf of a patient in the caseload."""

    permission_classes = [writes_for(Role.PATIENT, Role.PHYSIO, Role.ADMIN)]
    serializer_class = VisaASerializer
    model = VisaA

    def get_serializer(self, *args, **kwargs):
        if self.request.method == "POST":
            kwargs["patients"] = patients_for_user(self.request.user)
        return super().get_serializer(*args, **kwargs)

    def entry_patient(self, data) -> Patient:
        if role_of(self.request.user) == Role.PATIENT:
            return patient_of(self.request)
        if "patient" not in data:
            raise ValidationError({"patient": ["Name the patient this questionnaire is for."]})
        return data["patient"]

    def same_entry(self, stored: VisaA, data) -> bool:
        return (
            stored.patient_id == self.entry_patient(data).id
            and ("date" not in data or stored.date == data["date"])
            and [int(a) for a in stored.answers] == data["answers"]
            and (stored.item8_branch or None) == (data.get("item8_branch") or None)
        )

    def perform_create(self, serializer):
        data = serializer.validated_data
        patient = self.entry_patient(data)
        self.audit(patient.id)
        serializer.instance = services.visa_a_create(
            patient=patient,
            date=resolve_local_date(patient, data.get("date"), back_days=VISA_A_BACK_DAYS),
            answers=data["answers"],
            item8_branch=data.get("item8_branch"),
            entered_by=self.request.user,
            client_id=data.get("client_id"),
        )
