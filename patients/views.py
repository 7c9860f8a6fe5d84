from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import get_language_from_request
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.localtime import local_today
from core.permissions import only_for, role_of, writes_for
from core.query_params import id_param
from core.roles import STAFF

from . import services
from .audit import AuditedView
from .clinics import clinics_for_user, clinics_managed_by, patient_setting
from .models import CheckIn, Clinic, Membership, Patient, Role, User, VisaA
from .scope import patient_of, patients_for_user
from .serializers import (
    CHECKIN_BACK_DAYS,
    VISA_A_BACK_DAYS,
    CheckInSerializer,
    ClinicSerializer,
    ClinicStaffCreateSerializer,
    ClinicStaffSerializer,
    ClinicUpdateSerializer,
    VisaASerializer,
    resolve_local_date,
)
from .services import access_day_record


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    role = serializers.CharField(read_only=True)
    patient = serializers.IntegerField(read_only=True, allow_null=True)
    onboarded_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="A patient: when the introduction was first finished or skipped"
    )
    timezone = serializers.CharField(
        read_only=True, allow_null=True, help_text="A patient: the IANA time zone their days are counted in"
    )
    language = serializers.ChoiceField(
        choices=[("", ""), *settings.LANGUAGES],
        help_text="The language of the server's texts for this user (blank: the request's Accept-Language).",
    )


class MeView(APIView):
    def _body(self, request, patient: Patient | None) -> dict:
        user = request.user
        return {"id": user.id, "username": user.username, "role": role_of(user),
                "patient": patient and patient.id, "onboarded_at": patient and patient.onboarded_at,
                "timezone": patient and patient.timezone, "language": user.language}  # fmt: skip

    def _patient(self, request) -> Patient | None:
        return Patient.objects.select_related("clinic").filter(user=request.user).first()

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        patient = self._patient(request)
        # the app asks each day it is used: an RTM access day, where the patient's clinic has RTM on
        if patient and patient_setting(patient, "RTM_ENABLED"):
            access_day_record(patient_id=patient.id, today=local_today(patient.timezone))
        return Response(self._body(request, patient))

    @extend_schema(request=MeSerializer, responses=MeSerializer)
    def patch(self, request):
        """Choose the language the server writes in for this user (the app's language choice)."""
        serializer = MeSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        if "language" in serializer.validated_data:
            services.user_language_set(user=request.user, language=serializer.validated_data["language"])
            translation.activate(request.user.language or get_language_from_request(request))
        return Response(self._body(request, self._patient(request)))


class OnboardingView(APIView):
    """``POST /api/v1/me/onboarding/``: the patient has finished or skipped the introduction (once per account)."""

    permission_classes = [only_for(Role.PATIENT)]

    @extend_schema(
        request=None,
        responses=inline_serializer("Onboarding", {"onboarded_at": serializers.DateTimeField()}),
    )
    def post(self, request):
        patient = services.patient_onboarding_seen(patient=patient_of(request))
        return Response({"onboarded_at": patient.onboarded_at})


class ClinicianListView(APIView):
    """``GET /api/v1/clinicians/?role=physician``: who a physio or an admin can name as a patient's physician
    (the clinicians of the requester's clinics);
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
        users = (
            User.objects.filter(role=role, is_active=True, memberships__clinic__in=clinics_for_user(request.user))
            .distinct()
            .order_by("username")
            .values("id", "username")
        )
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
            date=resolve_local_date(
                patient, data.get("date"), back_days=CHECKIN_BACK_DAYS, answered_at=data.get("answered_at")
            ),
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
            date=resolve_local_date(
                patient, data.get("date"), back_days=VISA_A_BACK_DAYS, answered_at=data.get("answered_at")
            ),
            answers=data["answers"],
            item8_branch=data.get("item8_branch"),
            entered_by=self.request.user,
            client_id=data.get("client_id"),
        )


MANAGERS = (Role.ADMIN, Role.CLINIC_ADMIN)


@extend_schema_view(
    list=extend_schema(responses=ClinicSerializer(many=True)),
    partial_update=extend_schema(request=ClinicUpdateSerializer, responses=ClinicSerializer),
)
class ClinicViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """``GET /api/v1/clinics/``: the clinics the user belongs to (staff roles). An admin or the clinic's admin
    changes its name, looks, contact texts and settings overrides (``PATCH``; others 403, another clinic 404)."""

    permission_classes = [only_for(*STAFF), writes_for(*MANAGERS)]
    serializer_class = ClinicSerializer
    pagination_class = None
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return clinics_for_user(self.request.user).order_by("id")

    def partial_update(self, request, *args, **kwargs):
        clinic = self.get_object()
        if not clinics_managed_by(request.user).filter(pk=clinic.pk).exists():
            raise PermissionDenied("Only this clinic's admins may change it.")
        body = ClinicUpdateSerializer(clinic, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        clinic = services.clinic_update(clinic=clinic, changes=body.validated_data)
        return Response(ClinicSerializer(clinic).data)


class ClinicStaffMixin:
    def managed_clinic(self, request, pk) -> Clinic:
        """The clinic, if the requester manages it (404 for a clinic one does not belong to, else 403)."""
        clinic = clinics_for_user(request.user).filter(pk=pk).first()
        if clinic is None:
            raise NotFound("No such clinic.")
        if not clinics_managed_by(request.user).filter(pk=pk).exists():
            raise PermissionDenied("Only this clinic's admins manage its clinicians.")
        return clinic


class ClinicStaffView(ClinicStaffMixin, APIView):
    """``GET, POST /api/v1/clinics/{id}/clinicians/``: the clinic's staff, and a new physio, physician or
    clinic admin in it (the clinic's admins and the organisation's admins)."""

    permission_classes = [only_for(*MANAGERS)]

    @extend_schema(responses=ClinicStaffSerializer(many=True))
    def get(self, request, pk):
        clinic = self.managed_clinic(request, pk)
        staff = User.objects.filter(memberships__clinic=clinic).order_by("username")
        return Response(ClinicStaffSerializer(staff, many=True).data)

    @extend_schema(request=ClinicStaffCreateSerializer, responses={201: ClinicStaffSerializer})
    def post(self, request, pk):
        clinic = self.managed_clinic(request, pk)
        body = ClinicStaffCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            user = services.clinician_create(
                username=data["username"], role=data["role"], password=data["password"], clinics=[clinic],
                email=data.get("email", ""),
            )  # fmt: skip
        except IntegrityError as exc:  # the same username in a racing request
            raise ValidationError({"username": ["This username is taken."]}) from exc
        return Response(ClinicStaffSerializer(user).data, status=status.HTTP_201_CREATED)


class ClinicStaffMemberView(ClinicStaffMixin, APIView):
    """``PATCH /api/v1/clinics/{id}/clinicians/{user}/`` ``{is_active}``: turn a clinician's account off or on
    again. Only physios, physicians and clinic admins who work in no clinic the requester does not manage."""

    permission_classes = [only_for(*MANAGERS)]

    @extend_schema(request=ClinicStaffSerializer, responses=ClinicStaffSerializer)
    def patch(self, request, pk, user_id):
        clinic = self.managed_clinic(request, pk)
        member = User.objects.filter(pk=user_id, memberships__clinic=clinic).first()
        if member is None:
            raise NotFound("No such clinician in this clinic.")
        body = ClinicStaffSerializer(member, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        if member.is_superuser or member.role not in (Role.PHYSIO, Role.PHYSICIAN, Role.CLINIC_ADMIN):
            raise PermissionDenied("An organisation admin's account is changed by the install's admins.")
        if member.pk == request.user.pk:
            raise ValidationError({"is_active": ["You cannot turn your own account off."]})
        elsewhere = Membership.objects.filter(user=member).exclude(clinic__in=clinics_managed_by(request.user))
        if elsewhere.exists():
            raise ValidationError({"is_active": ["This clinician also works in a clinic you do not manage."]})
        member = services.clinician_update(user=member, changes=body.validated_data)
        return Response(ClinicStaffSerializer(member).data)
