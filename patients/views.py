from django.db import IntegrityError, transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from exercises.models import CURRENT_STATUSES
from exercises.protocols import ProtocolSlug
from notifications.models import FlagKind
from notifications.services import red_flag_report
from rehab_tracker.permissions import role_of, writes_for
from rehab_tracker.queries import id_param

from . import services
from .audit import AuditedView, audit_refused
from .caseload import caseload_queryset, open_flag_exists, risk_key, with_caseload_figures
from .models import CheckIn, Patient, Role, VisaA
from .selectors import patients_for_user
from .serializers import (
    CHECKIN_BACK_DAYS,
    VISA_A_BACK_DAYS,
    CheckInSerializer,
    PatientCreateSerializer,
    PatientSerializer,
    VisaASerializer,
    resolve_local_date,
)


def patient_of(request) -> Patient:
    """The requesting patient's own record (403 for other roles)."""
    if role_of(request.user) != Role.PATIENT:
        raise PermissionDenied("Only patients may do this.")
    patient = Patient.objects.filter(user=request.user).first()
    if patient is None:
        raise PermissionDenied("This account has no patient record.")
    return patient


def scoped_patient(request, patient_id) -> Patient:
    """A patient in the requester's scope, else 404 (never reveal it exists; an existing one is audited refused)."""
    try:
        return patients_for_user(request.user).get(pk=int(patient_id))
    except (Patient.DoesNotExist, ValueError, TypeError) as exc:
        if str(patient_id).isascii() and str(patient_id).isdigit() and Patient.objects.filter(pk=patient_id).exists():
            audit_refused(request, int(patient_id))
        raise NotFound("No such patient.") from exc


class MeView(APIView):
    @extend_schema(
        responses=inline_serializer(
            "Me",
            {
                "id": serializers.IntegerField(),
                "username": serializers.CharField(),
                "role": serializers.CharField(),
                "patient": serializers.IntegerField(allow_null=True),
            },
        )
    )
    def get(self, request):
        patient = Patient.objects.filter(user=request.user).values_list("id", flat=True).first()
        return Response(
            {
                "id": request.user.id,
                "username": request.user.username,
                "role": role_of(request.user),
                "patient": patient,
            }
        )


CASELOAD_PARAMS = [
    OpenApiParameter("ordering", str, enum=["id", "risk"], description="risk: red flags, physician flags, adherence"),
    OpenApiParameter("protocol", str, enum=ProtocolSlug.values),
    OpenApiParameter("flag_kind", str, enum=FlagKind.values, description="Patients with an open flag of this kind"),
    OpenApiParameter("week", int, description="Program week 1-12"),
]


class CaseloadQuery(serializers.Serializer):
    ordering = serializers.ChoiceField(choices=["id", "risk"], required=False, default="id")
    protocol = serializers.ChoiceField(choices=ProtocolSlug.choices, required=False)
    flag_kind = serializers.ChoiceField(choices=FlagKind.choices, required=False)
    week = serializers.IntegerField(min_value=1, max_value=12, required=False)


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
        if q["ordering"] == "risk" or "week" in q:  # figures decide: compute them for the whole caseload
            rows = with_caseload_figures(list(patients))
            if "week" in q:
                rows = [p for p in rows if p.week == q["week"]]
            if q["ordering"] == "risk":
                rows.sort(key=risk_key)
            page = self.paginate_queryset(rows)
        else:
            page = with_caseload_figures(list(self.paginate_queryset(patients)))
        self.audit(*(p.id for p in page))
        return self.get_paginated_response(PatientSerializer(page, many=True).data)

    def get_object(self):
        patient = with_caseload_figures([super().get_object()])[0]
        self.audit(patient.id)  # a Patient has no patient_id of its own
        return patient

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
        try:
            patient = services.patient_create(physio=physio, **data)
        except IntegrityError as exc:  # the same username in a racing request
            raise ValidationError({"username": ["This username is taken."]}) from exc
        self.audit(patient.id)
        patient = with_caseload_figures([self.get_queryset().get(pk=patient.pk)])[0]
        return Response(PatientSerializer(patient).data, status=status.HTTP_201_CREATED)


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


@extend_schema(parameters=[PATIENT_PARAM])
class CheckInViewSet(
    AuditedView, PatientScopedListMixin, mixins.CreateModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    permission_classes = [writes_for(Role.PATIENT)]
    serializer_class = CheckInSerializer
    model = CheckIn

    def perform_create(self, serializer):
        patient = patient_of(self.request)
        data = serializer.validated_data
        with transaction.atomic():
            serializer.instance = services.checkin_create(
                patient=patient,
                date=resolve_local_date(patient, data.get("date"), back_days=CHECKIN_BACK_DAYS),
                morning_pain=data["morning_pain"],
                morning_stiffness_minutes=data["morning_stiffness_minutes"],
                red_flags=data.get("red_flags", []),
            )
            # CLINICAL.md §8: the physician at once, in the same transaction: never waits on a queue, never lost.
            red_flag_report(checkin=serializer.instance)


@extend_schema(parameters=[PATIENT_PARAM])
class VisaAViewSet(
    AuditedView, PatientScopedListMixin, mixins.CreateModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    """VISA-A: a patient's own, or a physio's on behalf of a patient in the caseload."""

    permission_classes = [writes_for(Role.PATIENT, Role.PHYSIO, Role.ADMIN)]
    serializer_class = VisaASerializer
    model = VisaA

    def get_serializer(self, *args, **kwargs):
        if self.request.method == "POST":
            kwargs["patients"] = patients_for_user(self.request.user)
        return super().get_serializer(*args, **kwargs)

    def perform_create(self, serializer):
        data = serializer.validated_data
        if role_of(self.request.user) == Role.PATIENT:
            patient = patient_of(self.request)
        elif "patient" not in data:
            raise ValidationError({"patient": ["Name the patient this questionnaire is for."]})
        else:
            patient = data["patient"]
        self.audit(patient.id)
        serializer.instance = services.visa_a_create(
            patient=patient,
            date=resolve_local_date(patient, data.get("date"), back_days=VISA_A_BACK_DAYS),
            answers=data["answers"],
            item8_branch=data.get("item8_branch"),
            entered_by=self.request.user,
        )
