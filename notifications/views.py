from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.permissions import only_for, role_of
from core.query_params import id_param
from exercises.selectors import current_program
from patients.audit import AuditedView
from patients.models import Role
from patients.scope import patient_of, patients_for_user
from patients.services import patient_settings_update

from . import flags
from .channels import vapid_keys, webpush_enabled
from .models import Flag, FlagKind, FlagLevel, FlagStatus, Notification, PushSubscription, flag_priority
from .reminders import default_times, parse_times, reminder_times_set
from .serializers import (
    FlagActionSerializer,
    FlagSerializer,
    NotificationSerializer,
    PushSubscriptionSerializer,
    ReminderSettingsSerializer,
)


class NotificationViewSet(AuditedView, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The requesting user's own notifications, newest first (a clinician's page is audited: it names patients).

    A notification about a patient is shown only while that patient is in the user's scope: a physio whose
    patient moved to another physio no longer reads their name and reason here (nor marks them read); they
    are back if the patient is. Nothing is deleted: the rows stay for the audit of what was sent."""

    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()  # for the schema; the real one is per user

    def get_queryset(self):
        in_scope = Q(patient__isnull=True) | Q(patient__in=patients_for_user(self.request.user).values("id"))
        return Notification.objects.filter(in_scope, user=self.request.user).order_by("-created_at", "-id")

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
        return Response(NotificationSerializer(notification).data)

    @extend_schema(request=None, responses=inline_serializer("ReadAll", {"marked": serializers.IntegerField()}))
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        marked = self.get_queryset().filter(read_at__isnull=True).update(read_at=timezone.now())
        return Response({"marked": marked})


class VapidPublicKeyView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        responses={
            200: inline_serializer("VapidPublicKey", {"public_key": serializers.CharField()}),
            503: inline_serializer("WebPushOff", {"detail": serializers.CharField()}),
        }
    )
    def get(self, request):
        if not webpush_enabled():
            return Response({"detail": "Web Push is not configured on this server."}, status=503)
        return Response({"public_key": vapid_keys()[1]})


class PushSubscriptionViewSet(mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    serializer_class = PushSubscriptionSerializer
    queryset = PushSubscription.objects.none()  # for the schema; the real one is per user

    def get_queryset(self):
        return PushSubscription.objects.filter(user=self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # The requesting user's own row for this endpoint: another user's subscription is never touched or shown.
        # ``created_at`` is when the device last registered: a device in use re-registers, so is never the oldest.
        with transaction.atomic():
            subscription, created = PushSubscription.objects.update_or_create(
                user=request.user,
                endpoint=data["endpoint"],
                defaults={"p256dh": data["keys"]["p256dh"], "auth": data["keys"]["auth"], "created_at": timezone.now()},
            )
            # At most PUSH_SUBSCRIPTIONS_PER_USER: the oldest go, so one notification is never hundreds of sends.
            mine = PushSubscription.objects.filter(user=request.user).order_by("-created_at", "-id")
            stale = list(mine.values_list("id", flat=True)[settings.PUSH_SUBSCRIPTIONS_PER_USER :])
            if stale:
                PushSubscription.objects.filter(id__in=stale).delete()
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(PushSubscriptionSerializer(subscription).data, status=code)


UNRESOLVED = "unresolved"
FLAG_FILTERS = [
    OpenApiParameter(
        "status", str, enum=[*FlagStatus.values, UNRESOLVED], description="unresolved: open and acknowledged flags"
    ),
    OpenApiParameter("kind", str, enum=FlagKind.values),
    OpenApiParameter("level", str, enum=FlagLevel.values),
    OpenApiParameter("patient", int),
    OpenApiParameter(
        "ordering", str, enum=["newest", "priority"], description="priority: red flags, physician-level, newest first"
    ),
]


@extend_schema_view(list=extend_schema(parameters=FLAG_FILTERS))  # the filters are the list's only
class FlagViewSet(AuditedView, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [only_for(Role.PHYSIO, Role.PHYSICIAN, Role.ADMIN)]
    serializer_class = FlagSerializer

    def get_queryset(self):
        flags = Flag.objects.filter(patient__in=patients_for_user(self.request.user)).order_by("-created_at", "-id")
        params = self.request.query_params
        statuses = [*FlagStatus.values, UNRESOLVED]
        for name, choices in (("status", statuses), ("level", FlagLevel.values), ("kind", FlagKind.values)):
            value = params.get(name)
            if value is None:
                continue
            if value not in choices:
                raise ValidationError({name: [f"Use one of: {', '.join(choices)}."]})
            flags = flags.exclude(status=FlagStatus.RESOLVED) if value == UNRESOLVED else flags.filter(**{name: value})
        patient = id_param(params, "patient")
        if patient is not None:
            flags = flags.filter(patient_id=patient)
        ordering = params.get("ordering", "newest")
        if ordering not in ("newest", "priority"):
            raise ValidationError({"ordering": ["Use one of: newest, priority."]})
        if ordering == "priority":
            flags = flags.order_by(flag_priority(), "-created_at", "-id")
        return flags

    def _act(self, request, action_name: str):
        flag = self.get_object()
        if flag.level == FlagLevel.PHYSICIAN and role_of(request.user) == Role.PHYSIO:
            raise PermissionDenied("A physician-level flag is for the physician to act on.")
        body = FlagActionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            flag = flags.flag_act(
                flag=flag,
                user=request.user,
                action=action_name,
                note=body.validated_data["note"],
                outcome=body.validated_data.get("outcome", ""),
                patient_note=body.validated_data["patient_note"],
            )
        except flags.FlagActionError as exc:
            raise ValidationError({exc.field: [str(exc)]}) from exc
        return Response(FlagSerializer(flag).data)

    @extend_schema(request=FlagActionSerializer, responses=FlagSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        return self._act(request, "acknowledge")

    @extend_schema(request=FlagActionSerializer, responses=FlagSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        return self._act(request, "resolve")


class ReminderSettingsView(APIView):
    """``{enabled, timezone, times}``: the patient's own reminder settings (protocol defaults when unset)."""

    permission_classes = [only_for(Role.PATIENT)]

    def _data(self, patient) -> dict:
        times = [t.local_time for t in patient.reminder_times.all()]
        if not times:
            program = current_program(patient)
            times = default_times(program.protocol, patient.clinic) if program else []
        return {
            "enabled": patient.reminders_enabled,
            "timezone": patient.timezone,
            "times": [t.strftime("%H:%M") for t in times],
        }

    @extend_schema(responses=ReminderSettingsSerializer)
    def get(self, request):
        return Response(self._data(patient_of(request)))

    @extend_schema(request=ReminderSettingsSerializer, responses=ReminderSettingsSerializer)
    def patch(self, request):
        patient = patient_of(request)
        body = ReminderSettingsSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        with transaction.atomic():
            patient_settings_update(
                patient=patient, reminders_enabled=data.get("enabled"), timezone=data.get("timezone")
            )
            if "times" in data:
                reminder_times_set(patient=patient, times=parse_times(data["times"]))
        return Response(self._data(patient))
