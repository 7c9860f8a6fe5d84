import datetime as dt
from pathlib import PurePosixPath

from django.core.files.storage import default_storage
from django.http import Http404
from django.views.decorators.http import require_safe
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import APIView

from core.localtime import local_today
from core.permissions import writes_for
from core.query_params import DateRangeQuery
from core.ranges import ranged_file_response
from core.throttling import SetLogRateThrottle, WriteDayRateThrottle, WriteRateThrottle
from patients.audit import AuditedView, audit_record
from patients.models import Role
from patients.scope import patient_of, patients_for_user, scoped_patient

from . import services
from .adherence import Adherence, adherence_for_programs
from .models import Program, SetLog
from .prescriptions import SET_ON_HOLD_NOTICE, on_hold, prescription_data
from .selectors import current_program, demonstration_of_file, demonstrations_active, programs_of
from .serializers import (
    AdherenceSerializer,
    BatchResponseSerializer,
    DateQuerySerializer,
    DemonstrationQuerySerializer,
    DemonstrationSerializer,
    PrescriptionSerializer,
    ProgramSerializer,
    ProgramUpdateSerializer,
    SetLogEditSerializer,
    SetLogSerializer,
)

MAX_BATCH = 500
CONFLICT = "This client_id was already used for a different set: the set was not stored again."
FROM_PARAM = OpenApiParameter(
    "from", dt.date, description="First patient-local date, 2000-01-01 to 2099-12-31; not after `to`"
)
TO_PARAM = OpenApiParameter(
    "to", dt.date, description="Last patient-local date, 2000-01-01 to 2099-12-31; at most 366 days after `from`"
)


class ProgramViewSet(
    AuditedView, mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    permission_classes = [writes_for(Role.PHYSIO, Role.ADMIN)]
    serializer_class = ProgramSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (
            Program.objects.filter(patient__in=patients_for_user(self.request.user))
            .select_related("patient")
            .prefetch_related("pauses", "changes")
        )

    def get_serializer(self, *args, **kwargs):
        kwargs["patients"] = patients_for_user(self.request.user)
        return super().get_serializer(*args, **kwargs)

    def perform_create(self, serializer):
        data = serializer.validated_data
        try:
            serializer.instance = services.program_create(created_by=self.request.user, **data)
            self.audit(serializer.instance.patient_id)
        except services.ProgramChangeError as exc:
            raise ValidationError({"patient": [str(exc)]}) from exc

    @extend_schema(request=ProgramUpdateSerializer, responses=ProgramSerializer)
    def partial_update(self, request, *args, **kwargs):
        program = self.get_object()
        update = ProgramUpdateSerializer(data=request.data, context={"program": program})
        update.is_valid(raise_exception=True)
        try:
            program = services.program_update(program=program, changed_by=request.user, **update.validated_data)
        except services.ProgramChangeError as exc:
            raise ValidationError({"status": [str(exc)]}) from exc
        return Response(ProgramSerializer(self.get_queryset().get(pk=program.pk)).data)

    @extend_schema(
        parameters=[OpenApiParameter("date", dt.date, description="Patient-local date (default: today)")],
        responses=PrescriptionSerializer,
    )
    @action(detail=True, methods=["get"])
    def prescription(self, request, pk=None):
        program = self.get_object()
        query = DateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        day = query.validated_data.get("date") or local_today(program.patient.timezone)
        return Response(PrescriptionSerializer(prescription_data(program, day)).data)


class SetLogViewSet(AuditedView, mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = [writes_for(Role.PATIENT)]
    serializer_class = SetLogSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    # Every write's rates, and a daily count of sets (each set of a batch counted, not the request).
    throttle_classes = [WriteRateThrottle, WriteDayRateThrottle, SetLogRateThrottle]

    def get_queryset(self):
        q = DateRangeQuery.read(self.request.query_params)
        logs = SetLog.objects.filter(patient__in=patients_for_user(self.request.user)).order_by("date", "id")
        if "patient" in q:
            logs = logs.filter(patient_id=q["patient"])
        if "date_from" in q:
            logs = logs.filter(date__gte=q["date_from"])
        if "date_to" in q:
            logs = logs.filter(date__lte=q["date_to"])
        return logs

    @extend_schema(parameters=[OpenApiParameter("patient", int), FROM_PARAM, TO_PARAM])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def _context(self, patient) -> dict:
        programs = programs_of(patient)
        return {"patient": patient, "programs": programs, "today": local_today(patient.timezone)}

    @extend_schema(request=SetLogSerializer, responses={201: SetLogSerializer, 200: SetLogSerializer})
    def create(self, request):
        patient = patient_of(request)
        serializer = SetLogSerializer(data=request.data, context=self._context(patient))
        serializer.is_valid(raise_exception=True)
        outcome = services.setlog_record(patient=patient, data=serializer.validated_data)
        if outcome.status == "conflict":
            return Response({"client_id": [CONFLICT]}, status=status.HTTP_409_CONFLICT)
        code = status.HTTP_201_CREATED if outcome.status == "created" else status.HTTP_200_OK
        serializer.instance = outcome.log  # the same serializer answers: its fields are built once
        body = dict(serializer.data)
        if outcome.log and on_hold(outcome.log.program, outcome.log.date):
            body["notice"] = SET_ON_HOLD_NOTICE
        return Response(body, status=code)

    @extend_schema(request=SetLogSerializer(many=True), responses=BatchResponseSerializer)
    @action(detail=False, methods=["post"])
    def batch(self, request):
        """Up to 500 set logs; valid items are kept whatever happens to the others."""
        patient = patient_of(request)
        if not isinstance(request.data, list):
            raise ValidationError({"non_field_errors": ["Send a JSON list of set logs."]})
        if len(request.data) > MAX_BATCH:
            raise ValidationError({"non_field_errors": [f"At most {MAX_BATCH} set logs per batch."]})
        # One serializer validates every item (as a ListSerializer would) but keeps the valid ones.
        validator = SetLogSerializer(context=self._context(patient))
        results: list[dict | None] = []
        valid: list[tuple[int, dict]] = []
        for index, item in enumerate(request.data):
            try:
                valid.append((index, validator.run_validation(item)))
                results.append(None)
            except ValidationError as exc:
                results.append({"status": "invalid", "id": None, "errors": as_serializer_error(exc)})
        outcomes = services.setlog_record_batch(patient=patient, items=[data for _, data in valid])
        for (index, _), outcome in zip(valid, outcomes, strict=True):
            errors = {"client_id": [CONFLICT]} if outcome.status == "conflict" else None
            results[index] = {"status": outcome.status, "id": outcome.log.id if outcome.log else None, "errors": errors}
        body = {"results": results}
        if any(on_hold(data["program"], data["date"]) for _, data in valid):
            body["notice"] = SET_ON_HOLD_NOTICE
        return Response(body)

    def _own_log(self, pk) -> tuple[SetLog | None, object]:
        """The patient's own set by id (None when it was deleted by them before); a 404 for anyone else's."""
        patient = patient_of(self.request)
        log = SetLog.objects.filter(patient=patient, pk=pk).select_related("program").first() if _is_id(pk) else None
        if log is None and not (_is_id(pk) and services.setlog_was_deleted(log_id=int(pk), patient=patient)):
            self.get_object()  # a 404, audited as refused when the id is someone else's
        return log, patient

    def _audit_own(self, patient, action: str, what: str) -> None:
        audit_record(user=self.request.user, patient_ids=[patient.id], action=action, what=what, own=True)

    @extend_schema(
        request=SetLogEditSerializer,
        responses=SetLogSerializer,
        description="Mend a set of today or yesterday (patient-local): reps, load_kg or pain. The same request "
        "again changes nothing more. Older sets answer 400.",
    )
    def partial_update(self, request, pk=None):
        log, patient = self._own_log(pk)
        if log is None:
            raise NotFound("This set was deleted.")
        edit = SetLogEditSerializer(data=request.data)
        edit.is_valid(raise_exception=True)
        try:
            changed = services.setlog_edit(log=log, changes=edit.validated_data, today=local_today(patient.timezone))
        except services.SetLogLocked as exc:
            raise ValidationError({"date": [str(exc)]}) from exc
        if changed is None:
            raise NotFound("This set was deleted.")
        if changed:
            self._audit_own(patient, "change", f"PATCH {request.path}: {', '.join(changed)}")
        log.refresh_from_db()
        return Response(SetLogSerializer(log).data)

    @extend_schema(
        responses={204: None},
        description="Delete a set of today or yesterday (patient-local). Deleting it again answers 204 too. "
        "Older sets answer 400.",
    )
    def destroy(self, request, pk=None):
        log, patient = self._own_log(pk)
        if log is not None:
            try:
                deleted = services.setlog_delete(log=log, today=local_today(patient.timezone))
            except services.SetLogLocked as exc:
                raise ValidationError({"date": [str(exc)]}) from exc
            if deleted:
                self._audit_own(patient, "delete", f"DELETE {request.path}")
        return Response(status=status.HTTP_204_NO_CONTENT)


def _is_id(pk) -> bool:
    return isinstance(pk, str) and pk.isascii() and pk.isdigit() and len(pk) < 19


class AdherenceView(AuditedView, APIView):
    @extend_schema(parameters=[FROM_PARAM, TO_PARAM], responses=AdherenceSerializer)
    def get(self, request, pk):
        patient = scoped_patient(request, pk)
        self.audit(patient.id)
        q = DateRangeQuery.read(request.query_params)
        program = current_program(patient)
        if program is None:
            today = local_today(patient.timezone)
            adherence = Adherence(q.get("date_from", today), q.get("date_to", today))
        else:
            adherence = adherence_for_programs([program], date_from=q.get("date_from"), date_to=q.get("date_to"))[
                program.id
            ]
        return Response(AdherenceSerializer({"program": program.id if program else None, "adherence": adherence}).data)


class DemonstrationListView(APIView):
    """The clinic's demonstrations for the player (any signed-in user): the media URLs to show and cache."""

    @extend_schema(parameters=[DemonstrationQuerySerializer], responses=DemonstrationSerializer(many=True))
    def get(self, request):
        query = DemonstrationQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = demonstrations_active(exercise=query.validated_data.get("exercise"))
        return Response(DemonstrationSerializer(rows, many=True).data)


# A demonstration's file never changes under its name (the name is its SHA-256): the browser may keep it; only
# signed-in users are handed the names (docs/api.md), so no shared cache should.
MEDIA_HEADERS = {
    "Cache-Control": "private, max-age=31536000, immutable",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Content-Disposition": "inline",
}


@require_safe
def demonstration_file(request, name: str):
    """``/media/<name>``: an active demonstration's file, from the configured storage, with range requests.
    With S3 the file is read through the storage API (this origin proxies it), so the phone's service worker
    can cache it like any file of the app."""
    demonstration = demonstration_of_file(name=name)
    if demonstration is None:
        raise Http404
    return ranged_file_response(
        request,
        open_file=lambda: default_storage.open(demonstration.file.name, "rb"),
        size=demonstration.size or default_storage.size(demonstration.file.name),
        content_type=demonstration.content_type,
        etag=f'"{PurePosixPath(demonstration.file.name).stem}"',
        headers=MEDIA_HEADERS,
    )
