from django.apps import AppConfig


class ExercisesConfig(AppConfig):
    name = "exercises"

    def ready(self):
        from patients.signals import patient_days_changed

        from .summaries import expire_patient

        patient_days_changed.connect(expire_patient, dispatch_uid="exercises.summaries.timezone")
