from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import CheckIn, Patient, User, VisaA


@admin.register(User)
class RehabUserAdmin(UserAdmin):
    list_display = ("username", "role", "is_staff", "is_active", "date_joined")
    list_filter = ("role", "is_staff", "is_active")
    fieldsets = (*UserAdmin.fieldsets, ("Rehab Tracker", {"fields": ("role",)}))
    add_fieldsets = (*UserAdmin.add_fieldsets, ("Rehab Tracker", {"fields": ("role",)}))


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "tendinopathy", "side", "timezone", "physio", "physician", "reminders_enabled")
    list_filter = ("tendinopathy", "side", "reminders_enabled", "physio", "physician")
    search_fields = ("user__username",)
    list_select_related = ("user", "physio", "physician")
    raw_id_fields = ("user",)


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    list_display = ("patient", "date", "morning_pain", "morning_stiffness_minutes", "red_flags")
    list_filter = ("date",)
    search_fields = ("patient__user__username",)
    list_select_related = ("patient__user",)
    date_hierarchy = "date"
    raw_id_fields = ("patient",)


@admin.register(VisaA)
class VisaAAdmin(admin.ModelAdmin):
    list_display = ("patient", "date", "score", "entered_by")
    list_filter = ("date",)
    search_fields = ("patient__user__username",)
    list_select_related = ("patient__user", "entered_by")
    date_hierarchy = "date"
    raw_id_fields = ("patient",)
