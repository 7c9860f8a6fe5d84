"""``GET /api/v1/settings/``: the rules the screens show, served so that no client restates them.

Pain zones (Silbernagel 2007), the adherence marks, which protocol each tendinopathy type gets and which
need a clinician's reason, VISA-A's scoring (Robinson 2001) and the flag levels in order. Everything comes
from the settings and tables the server itself judges by.
"""

from django.conf import settings
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from patients.visa_a import ITEM_7_VALUES, ITEM_8_BRANCHES

from .protocols import DEFAULT_PROTOCOL, FITS, PAIN_GUIDE


def names():
    return serializers.ListField(child=serializers.CharField())


def numbers():
    return serializers.ListField(child=serializers.IntegerField())


PAIN_SAFE_MAX = 2  # Silbernagel 2007: 0–2 safe, 3 to the limit acceptable, above it too much
ZONE = inline_serializer("PainZone", {"name": serializers.CharField(), "min": serializers.IntegerField(),
                                      "max": serializers.IntegerField()}, many=True)  # fmt: skip


def clinical_rules() -> dict:
    above = settings.PAIN_ABOVE
    return {
        "pain_zones": [
            {"name": "safe", "min": 0, "max": PAIN_SAFE_MAX},
            {"name": "acceptable", "min": PAIN_SAFE_MAX + 1, "max": above},
            {"name": "too_much", "min": above + 1, "max": 10},
        ],
        "pain_above": above,
        "pain_guide": PAIN_GUIDE,
        "adherent_at_least": settings.ADHERENT_PROGRAM_AT_LEAST,
        "non_adherence_below": settings.NON_ADHERENCE_7D_BELOW,
        "default_protocol": dict(DEFAULT_PROTOCOL),
        "protocols_without_reason": {kind: sorted(fits) for kind, fits in FITS.items()},
        "visa_a": {
            "item_7_values": list(ITEM_7_VALUES),
            "item_8_branches": {branch: list(values) for branch, values in ITEM_8_BRANCHES.items()},
            "minimal_important_change": settings.VISA_A_MIN_GAIN,
            "review_below": settings.VISA_A_REVIEW_BELOW,
        },
        "flag_levels": ["physio", "physician"],
    }


class RulesView(APIView):
    """The clinical rules the screens show (any signed-in user)."""

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
            },
        )
    )
    def get(self, request):
        return Response(clinical_rules())
