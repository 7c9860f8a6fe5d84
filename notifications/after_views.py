"""After week 12 over HTTP (docs/api.md §11): the review decision, the running gate, the running log."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.localtime import local_today
from core.permissions import CLINICIANS, PATIENT, only_for, role_of, writes_for
from core.query_params import id_param
from exercises.models import AfterCare, Program, RunLog
from exercises.selectors import current_program
from exercises.services import ProgramChangeError, runlog_morning, runlog_record, running_gate_save
from patients.audit import AuditedView, audit_refused
from patients.models import Role
from patients.scope import patient_of, patients_for_user

from .after_serializers import (
    ReviewDecisionSerializer,
    ReviewSerializer,
    RunLogMorningSerializer,
    RunLogSerializer,
    RunningGateSerializer,
)
from .aftercare import ReviewError, aftercare_of, outcome_review_decide, running_judge
from .models import OutcomeReview


def _scoped_program(view, pk) -> Program:
    """A program of a patient in the requester's scope, else 404 (an existing one is audited refused)."""
    try:
        program = Program.objects.select_related("patient__user").get(
            pk=int(pk), patient__in=patients_for_user(view.request.user)
        )
    except (Program.DoesNotExist, ValueError) as exc:
        patient_id = Program.objects.filter(pk=pk).values_list("patient_id", flat=True).first()
        if patient_id is not None:
            audit_refused(view.request, patient_id)
        raise NotFound("No such program.") from exc
    view.audit(program.patient_id)
    return program


def _review_data(program: Program) -> dict:
    review = OutcomeReview.objects.filter(program=program).select_related("decided_by").first()
    return ReviewSerializer.shape(program, review, aftercare_of(program))


class ProgramReviewView(AuditedView, APIView):
    """The end-of-week-12 review of a program: its VISA-A scores, the decision (what comes next, a note for the
    patient apart from the clinical note) and the follow-ups. Deciding tells the patient."""

    permission_classes = [only_for(*CLINICIANS)]

    @extend_schema(responses=ReviewSerializer)
    def get(self, request, pk):
        return Response(_review_data(_scoped_program(self, pk)))

    @extend_schema(request=ReviewDecisionSerializer, responses=ReviewSerializer)
    def post(self, request, pk):
        program = _scoped_program(self, pk)
        decision = ReviewDecisionSerializer(data=request.data)
        decision.is_valid(raise_exception=True)
        try:
            outcome_review_decide(program=program, decided_by=request.user, **decision.validated_data)
        except ReviewError as exc:
            raise ValidationError({"next_state": [str(exc)]}) from exc
        return Response(_review_data(program))


class RunningGateView(AuditedView, APIView):
    """The return-to-running checklist (docs/clinical.md §11): the physio fills it in and signs it; running
    starts only after."""

    permission_classes = [only_for(*CLINICIANS), writes_for(Role.PHYSIO, Role.ADMIN)]

    @extend_schema(responses=RunningGateSerializer)
    def get(self, request, pk):
        aftercare = aftercare_of(_scoped_program(self, pk))
        gate = getattr(aftercare, "gate", None) if aftercare else None
        if gate is None:
            raise NotFound("No checklist yet.")
        return Response(RunningGateSerializer(gate).data)

    @extend_schema(request=RunningGateSerializer, responses=RunningGateSerializer)
    def put(self, request, pk):
        aftercare = aftercare_of(_scoped_program(self, pk))
        if aftercare is None:
            raise ValidationError({"sign": ["Decide the review first: the checklist is for return to running."]})
        form = RunningGateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        sign = data.pop("sign")
        try:
            gate = running_gate_save(aftercare=aftercare, by=request.user, items=data, sign=sign)
        except ProgramChangeError as exc:
            raise ValidationError({"sign": [str(exc)]}) from exc
        return Response(RunningGateSerializer(gate).data)


def _running_aftercare(patient) -> AfterCare:
    aftercare = aftercare_of(current_program(patient))
    if aftercare is None:
        raise ValidationError({"date": ["Running starts once your physio has signed the return-to-running checklist."]})
    return aftercare


class RunLogViewSet(AuditedView, mixins.ListModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
                    viewsets.GenericViewSet):  # fmt: skip
    """Walk–run sessions of the return-to-running progression: the patient logs minutes run and pain during,
    and the next morning's pain (PATCH); a session breaking the pain rules holds the step and flags the physio."""

    serializer_class = RunLogSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = RunLog.objects.none()

    def get_queryset(self):
        rows = RunLog.objects.filter(patient__in=patients_for_user(self.request.user)).order_by("date", "id")
        patient = id_param(self.request.query_params, "patient")
        return rows if patient is None else rows.filter(patient_id=patient)

    @extend_schema(parameters=[OpenApiParameter("patient", int)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=RunLogSerializer, responses={201: RunLogSerializer, 200: RunLogSerializer})
    def create(self, request, *args, **kwargs):
        patient = patient_of(request)
        form = RunLogSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = {k: v for k, v in form.validated_data.items() if k != "ok"}
        if data["date"] > local_today(patient.timezone):
            raise ValidationError({"date": ["This date is in the future."]})
        try:
            log, created = runlog_record(patient=patient, aftercare=_running_aftercare(patient), data=data)
        except ProgramChangeError as exc:
            raise ValidationError({"date": [str(exc)]}) from exc
        if created:
            running_judge(log=log)
        return Response(RunLogSerializer(log).data, status=201 if created else 200)

    @extend_schema(request=RunLogMorningSerializer, responses=RunLogSerializer)
    def partial_update(self, request, *args, **kwargs):
        if role_of(request.user) != PATIENT:
            raise PermissionDenied("Only the patient logs their runs.")
        try:
            log = self.get_queryset().get(pk=int(kwargs["pk"]), patient=patient_of(request))
        except (RunLog.DoesNotExist, ValueError) as exc:
            raise Http404 from exc
        form = RunLogMorningSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        before = log.pain_next_morning
        log = runlog_morning(log=log, pain_next_morning=form.validated_data["pain_next_morning"])
        if before != log.pain_next_morning:
            running_judge(log=log)
        return Response(RunLogSerializer(log).data)
