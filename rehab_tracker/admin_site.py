"""The Django admin's sign-in with the second factor: an account with an authenticator types its code (or a
recovery code) under the password, and the admin lets a session in only when that sign-in was verified
(django-otp's ``is_verified``), so no other session (an SSO hand-off, say) reaches the admin without it."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm

from core.mfa import otp_verify, user_has_factor, user_must_enrol


class AdminOtpAuthenticationForm(AdminAuthenticationForm):
    otp_token = forms.CharField(
        label="Two-factor code", required=False, max_length=16,
        help_text="Only if your account has an authenticator app: its 6-digit code, or a recovery code.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text"}),
    )  # fmt: skip

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "otp_required": "This account has a second factor: enter the code from its authenticator app.",
        "otp_invalid": "That code is wrong, expired or already used.",
        "otp_enrol": "This clinic requires a second factor: set one up in the app first, then sign in here.",
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        user.otp_device = None
        if user_must_enrol(user=user):
            raise forms.ValidationError(self.error_messages["otp_enrol"], code="otp_enrol")
        if not user_has_factor(user=user):
            return
        code = self.cleaned_data.get("otp_token", "")
        if not code:
            raise forms.ValidationError(self.error_messages["otp_required"], code="otp_required")
        device = otp_verify(user=user, code=code)
        if not device:
            raise forms.ValidationError(self.error_messages["otp_invalid"], code="otp_invalid")
        user.otp_device = device  # django-otp marks the session verified at login


class StaffAdminSite(admin.AdminSite):
    login_form = AdminOtpAuthenticationForm
    login_template = "admin/otp_login.html"

    def has_permission(self, request):
        if not super().has_permission(request):
            return False
        user = request.user
        return bool(getattr(user, "is_verified", lambda: False)()) or not (
            user_has_factor(user=user) or user_must_enrol(user=user)
        )
