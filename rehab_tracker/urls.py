from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from exercises.rules import RulesView
from exercises.views import AdherenceView, ProgramViewSet, SetLogViewSet
from notifications.views import (
    FlagViewSet,
    NotificationViewSet,
    PushSubscriptionViewSet,
    ReminderSettingsView,
    VapidPublicKeyView,
)
from patients.views import (
    CheckInViewSet,
    ClinicianListView,
    ClinicStaffMemberView,
    ClinicStaffView,
    ClinicViewSet,
    MeView,
    VisaAViewSet,
)
from records.views import AuditEventListView, ClinicalNotesView, ExportView, PatientViewSet, TimelineView
from rehab_tracker.today import TodayView

from .auth import LoginView, LogoutView, RefreshView
from .dashboard import dashboard
from .views import HealthView
from .webapp import APP_PATHS, app_shell

router = DefaultRouter()
router.register("patients", PatientViewSet, basename="patient")
router.register("programs", ProgramViewSet, basename="program")
router.register("logs", SetLogViewSet, basename="setlog")
router.register("checkins", CheckInViewSet, basename="checkin")
router.register("visa-a", VisaAViewSet, basename="visa-a")
router.register("flags", FlagViewSet, basename="flag")
router.register("clinics", ClinicViewSet, basename="clinic")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("push-subscriptions", PushSubscriptionViewSet, basename="push-subscription")

api_v1 = [
    path("auth/token/", LoginView.as_view(), name="token"),
    path("auth/token/refresh/", RefreshView.as_view(), name="token-refresh"),
    path("auth/logout/", LogoutView.as_view(), name="logout"),
    path("me/", MeView.as_view(), name="me"),
    path("clinicians/", ClinicianListView.as_view(), name="clinicians"),
    path("clinics/<int:pk>/clinicians/", ClinicStaffView.as_view(), name="clinic-clinicians"),
    path("clinics/<int:pk>/clinicians/<int:user_id>/", ClinicStaffMemberView.as_view(), name="clinic-clinician"),
    path("me/reminders/", ReminderSettingsView.as_view(), name="me-reminders"),
    path("today/", TodayView.as_view(), name="today"),
    path("settings/", RulesView.as_view(), name="settings"),
    path("health/", HealthView.as_view(), name="health"),
    path("push/vapid-public-key/", VapidPublicKeyView.as_view(), name="vapid-public-key"),
    path("patients/<int:pk>/adherence/", AdherenceView.as_view(), name="patient-adherence"),
    path("patients/<int:pk>/timeline/", TimelineView.as_view(), name="patient-timeline"),
    path("patients/<int:pk>/notes/", ClinicalNotesView.as_view(), name="patient-notes"),
    path("patients/<int:pk>/export/", ExportView.as_view(), name="patient-export"),
    path("audit/", AuditEventListView.as_view(), name="audit"),
    path("", include(router.urls)),
]

urlpatterns = [
    path("admin/dashboard/", admin.site.admin_view(dashboard), name="admin-dashboard"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's init code as a script file of its own: the CSP allows no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
    # Browsers ask for /favicon.ico whatever the page says: the app's icon.
    path("favicon.ico", RedirectView.as_view(url="/icons/icon-192.png", permanent=True)),
    re_path(APP_PATHS, app_shell, name="app"),
]

handler400 = "rehab_tracker.errors.bad_request"
handler403 = "rehab_tracker.errors.permission_denied"
handler404 = "rehab_tracker.errors.not_found"
handler500 = "rehab_tracker.errors.server_error"
