"""``GET /api/v1/settings/``: the rules the screens show, served so that no client restates them.

Pain zones (Silbernagel 2007), the adherence marks, which protocol each tendinopathy type gets and which
need a clinician's reason, VISA-A's scoring (Robinson 2001) and the flag levels in order. Everything comes
from the settings and tables the server itself judges by.
"""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from patients.clinics import branding, clinic_of_user, clinic_setting
from patients.models import Clinic
from patients.visa_a import ITEM_7_VALUES, ITEM_8_BRANCHES

from .protocols import DEFAULT_PROTOCOL, FITS, PAIN_GUIDE


def names():
    return serializers.ListField(child=serializers.CharField())


def numbers():
    return serializers.ListField(child=serializers.IntegerField())


PAIN_SAFE_MAX = 2  # Silbernagel 2007: 0–2 safe, 3 to the limit acceptable, above it too much
ZONE = inline_serializer("PainZone", {"name": serializers.CharField(), "min": serializers.IntegerField(),
                                      "max": serializers.IntegerField()}, many=True)  # fmt: skip


def clinical_rules(clinic: Clinic | None = None) -> dict:
    """The rules as ``clinic`` applies them (its overrides, else the install's settings)."""
    above = clinic_setting(clinic, "PAIN_ABOVE")
    return {
        "pain_zones": [
            {"name": "safe", "min": 0, "max": PAIN_SAFE_MAX},
            {"name": "acceptable", "min": PAIN_SAFE_MAX + 1, "max": above},
            {"name": "too_much", "min": above + 1, "max": 10},
        ],
        "pain_above": above,
        "pain_guide": PAIN_GUIDE,
        "adherent_at_least": clinic_setting(clinic, "ADHERENT_PROGRAM_AT_LEAST"),
        "non_adherence_below": clinic_setting(clinic, "NON_ADHERENCE_7D_BELOW"),
        "default_protocol": dict(DEFAULT_PROTOCOL),
        "protocols_without_reason": {kind: sorted(fits) for kind, fits in FITS.items()},
        "visa_a": {
            "item_7_values": list(ITEM_7_VALUES),
            "item_8_branches": {branch: list(values) for branch, values in ITEM_8_BRANCHES.items()},
            "minimal_important_change": clinic_setting(clinic, "VISA_A_MIN_GAIN"),
            "review_below": clinic_setting(clinic, "VISA_A_REVIEW_BELOW"),
        },
        "flag_levels": ["physio", "physician"],
    }


CLINIC_BRANDING = inline_serializer(
    "ClinicBranding",
    {
        "id": serializers.IntegerField(),
        "name": serializers.CharField(),
        "slug": serializers.CharField(),
        "logo_url": serializers.CharField(),
        "colour": serializers.CharField(),
        "public_url": serializers.CharField(),
        "opening_hours": serializers.CharField(),
        "contact_phone": serializers.CharField(help_text="For a call button (tel:); empty when the clinic has none"),
        "red_flag_contact": serializers.CharField(),
    },
    allow_null=True,
    help_text="The user's clinic (a patient's own, staff: their first): name, looks and contact",
)


class RulesView(APIView):
    """The clinical rules the screens show (any signed-in user), as the user's clinic applies them, and what
    the screens show of that clinic."""

    @extend_schema(
        responses=inline_serializer(
            "ClinicalRules",
            {
                "pain_zones": ZONE,
                "pain_above": serializers.IntegerField(),
                "pain_guide": serializers.CharField(),
                "adherent_at_least": serializers.FloatField(),
                "non_adherence_below": serializers.FloatField(),
                "default_protocol": serializers.DictField(child=serializers.CharField()),
                "protocols_without_reason": serializers.DictField(
                    child=serializers.ListField(child=serializers.CharField())
                ),
                "visa_a": inline_serializer(
                    "VisaARules",
                    {
                        "item_7_values": numbers(),
                        "item_8_branches": serializers.DictField(
                            child=serializers.ListField(child=serializers.IntegerField())
                        ),
                        "minimal_important_change": serializers.IntegerField(),
                        "review_below": serializers.IntegerField(),
                    },
                ),
                "flag_levels": names(),
                "clinic": CLINIC_BRANDING,
            },
        )
    )
    def get(self, request):
        clinic = clinic_of_user(request.user)
        return Response(clinical_rules(clinic) | {"clinic": branding(clinic)})
