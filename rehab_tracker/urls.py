from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from exercises.rules import RulesView
from exercises.views import AdherenceView, DemonstrationListView, ProgramViewSet, SetLogViewSet, demonstration_file
from messaging.views import MessageViewSet, PatientRtmView, RtmReportView, TimeEntryViewSet
from notifications.after_views import ProgramReviewView, RunLogViewSet, RunningGateView
from notifications.views import (
    FlagViewSet,
    NotificationViewSet,
    PushSubscriptionViewSet,
    ReminderSettingsView,
    VapidPublicKeyView,
)
from patients.accounts import InvitationAcceptView, InvitationView, PasswordResetConfirmView, PasswordResetView
from patients.views import (
    CheckInViewSet,
    ClinicianListView,
    ClinicStaffMemberView,
    ClinicStaffView,
    ClinicViewSet,
    MeView,
    OnboardingView,
    VisaAViewSet,
)
from records.views import (
    AuditEventListView,
    ClinicalNotesView,
    ExportView,
    PatientViewSet,
    SummaryView,
    TimelineView,
)
from rehab_tracker.today import TodayView

from .auth import LoginView, LogoutView, RefreshView
from .dashboard import dashboard
from .mfa import MfaStatusView, TotpConfirmView, TotpEnrolView
from .sso import SsoExchangeView, SsoInfoView, sso_callback, sso_complete, sso_start
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
router.register("messages", MessageViewSet, basename="message")
router.register("time-entries", TimeEntryViewSet, basename="time-entry")
router.register("running-logs", RunLogViewSet, basename="running-log")
router.register("push-subscriptions", PushSubscriptionViewSet, basename="push-subscription")

api_v1 = [
    path("auth/token/", LoginView.as_view(), name="token"),
    path("auth/token/refresh/", RefreshView.as_view(), name="token-refresh"),
    path("auth/logout/", LogoutView.as_view(), name="logout"),
    path("auth/password-reset/", PasswordResetView.as_view(), name="password-reset"),
    path("auth/password-reset/confirm/", PasswordResetConfirmView.as_view(), name="password-reset-confirm"),
    path("invitations/", InvitationView.as_view(), name="invitations"),
    path("invitations/<str:token>/accept/", InvitationAcceptView.as_view(), name="invitation-accept"),
    path("auth/mfa/", MfaStatusView.as_view(), name="mfa"),
    path("auth/mfa/totp/", TotpEnrolView.as_view(), name="mfa-totp"),
    path("auth/mfa/totp/confirm/", TotpConfirmView.as_view(), name="mfa-totp-confirm"),
    path("auth/sso/", SsoInfoView.as_view(), name="sso"),
    path("auth/sso/exchange/", SsoExchangeView.as_view(), name="sso-exchange"),
    path("me/", MeView.as_view(), name="me"),
    path("me/onboarding/", OnboardingView.as_view(), name="me-onboarding"),
    path("clinicians/", ClinicianListView.as_view(), name="clinicians"),
    path("clinics/<int:pk>/clinicians/", ClinicStaffView.as_view(), name="clinic-clinicians"),
    path("clinics/<int:pk>/clinicians/<int:user_id>/", ClinicStaffMemberView.as_view(), name="clinic-clinician"),
    path("me/reminders/", ReminderSettingsView.as_view(), name="me-reminders"),
    path("today/", TodayView.as_view(), name="today"),
    path("settings/", RulesView.as_view(), name="settings"),
    path("demonstrations/", DemonstrationListView.as_view(), name="demonstrations"),
    path("health/", HealthView.as_view(), name="health"),
    path("push/vapid-public-key/", VapidPublicKeyView.as_view(), name="vapid-public-key"),
    path("patients/<int:pk>/adherence/", AdherenceView.as_view(), name="patient-adherence"),
    path("patients/<int:pk>/timeline/", TimelineView.as_view(), name="patient-timeline"),
    path("patients/<int:pk>/notes/", ClinicalNotesView.as_view(), name="patient-notes"),
    path("patients/<int:pk>/export/", ExportView.as_view(), name="patient-export"),
    path("patients/<int:pk>/rtm/", PatientRtmView.as_view(), name="patient-rtm"),
    path("rtm/", RtmReportView.as_view(), name="rtm"),
    path("patients/<int:pk>/summary/", SummaryView.as_view(), name="patient-summary"),
    path("programs/<int:pk>/review/", ProgramReviewView.as_view(), name="program-review"),
    path("programs/<int:pk>/running-gate/", RunningGateView.as_view(), name="program-running-gate"),
    path("audit/", AuditEventListView.as_view(), name="audit"),
    path("", include(router.urls)),
]

urlpatterns = [
    path("admin/dashboard/", admin.site.admin_view(dashboard), name="admin-dashboard"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("media/<path:name>", demonstration_file, name="demonstration-file"),
    # Staff single sign-on (OpenID Connect): rehab_tracker/sso.py; 404 unless configured.
    path("oidc/authenticate/", sso_start, name="oidc_authentication_init"),
    path("oidc/callback/", sso_callback, name="oidc_authentication_callback"),
    path("sso/complete/", sso_complete, name="sso-complete"),
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
