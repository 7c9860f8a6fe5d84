"""``GET /api/v1/demonstrations/``: every signed-in user gets the active demonstrations with their URLs on
this origin (the player shows them and the service worker caches them); nobody else gets anything."""

import pytest

from .factories import DemonstrationFactory, PatientFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/demonstrations/"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_patient_gets_the_active_demonstrations_in_order_with_their_urls(api, patient):
    DemonstrationFactory(order=2, caption="From the side")
    first = DemonstrationFactory(order=1, caption="From the front")
    DemonstrationFactory(active=False, caption="Old")
    DemonstrationFactory(exercise="seated_calf_raise", caption="Seated")
    response = api(patient.user).get(URL, {"exercise": "eccentric_heel_drop_straight"})
    assert response.status_code == 200
    assert [d["caption"] for d in response.json()] == ["From the front", "From the side"]
    row = response.json()[0]
    assert row == {"id": first.id, "exercise": "eccentric_heel_drop_straight", "kind": "video",
                   "url": f"/media/{first.file.name}", "content_type": "video/webm", "size": first.size,
                   "caption": "From the front", "order": 1}  # fmt: skip
    assert len(api(patient.user).get(URL).json()) == 3


def test_staff_see_them_too(api, physio):
    DemonstrationFactory()
    assert len(api(physio).get(URL).json()) == 1


def test_an_anonymous_caller_gets_401_and_a_bad_exercise_a_400(api):
    assert api(None).get(URL).status_code == 401
    patient = PatientFactory()
    for bad in ("skipping", ""):  # an empty filter is not "no filter" (docs/api.md §8)
        response = api(patient.user).get(URL, {"exercise": bad})
        assert response.status_code == 400
        assert "exercise" in response.json()
