from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from patients.signals import checkin_recorded

        from .flags import report_red_flags_of

        checkin_recorded.connect(report_red_flags_of, dispatch_uid="notifications.red_flags")
