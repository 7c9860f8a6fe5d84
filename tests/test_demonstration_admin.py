"""A clinic admin uploads a demonstration in the admin: the file's bytes must be an allowed video or image of
the chosen kind, no larger than DEMONSTRATION_MAX_BYTES; a refused upload stores nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from exercises.models import Demonstration

from .factories import WEBM_BYTES, AdminFactory, PhysioFactory

ADD = "/admin/exercises/demonstration/add/"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
MP4 = b"\0\0\0\x18ftypisom" + b"\0" * 64


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def admin_client(db):
    client = Client()
    client.force_login(AdminFactory())
    return client


def upload(client, data: bytes, name: str, kind: str = "video", claimed: str = "video/mp4"):
    form = {"exercise": "seated_calf_raise", "kind": kind, "caption": "Seated, knee bent", "order": 0, "active": "on",
            "file": SimpleUploadedFile(name, data, content_type=claimed)}  # fmt: skip
    return client.post(ADD, form)


def errors(response) -> str:
    return " ".join(str(e) for e in response.context["adminform"].form.errors.get("file", []))


@pytest.mark.parametrize(
    ("data", "name", "kind", "content_type"),
    [(MP4, "raise.mp4", "video", "video/mp4"), (WEBM_BYTES, "raise.webm", "video", "video/webm"),
     (PNG, "raise.png", "image", "image/png"), (b"\xff\xd8\xff\xe0" + b"\0" * 32, "a.jpeg", "image", "image/jpeg"),
     (b"RIFF\0\0\0\0WEBPVP8 " + b"\0" * 32, "a.webp", "image", "image/webp")],
)  # fmt: skip
def test_an_allowed_file_is_stored_with_the_type_its_bytes_show(
    admin_client, media_root, data, name, kind, content_type
):
    response = upload(admin_client, data, name, kind=kind, claimed="application/octet-stream")
    assert response.status_code == 302, errors(response)
    saved = Demonstration.objects.get()
    assert (saved.kind, saved.content_type, saved.size) == (kind, content_type, len(data))
    assert (media_root / saved.file.name).read_bytes() == data


def test_a_file_that_only_claims_to_be_a_video_is_refused(admin_client, media_root):
    response = upload(admin_client, b"<script>alert(1)</script>", "evil.mp4", claimed="video/mp4")
    assert response.status_code == 200
    assert "not an allowed file" in errors(response)
    assert not Demonstration.objects.exists()
    assert not any(media_root.rglob("*.*"))


def test_an_image_uploaded_as_a_video_is_refused(admin_client):
    response = upload(admin_client, PNG, "still.png", kind="video")
    assert response.status_code == 200
    assert "This file is an image, not a video" in errors(response)
    assert not Demonstration.objects.exists()


def test_a_file_over_the_limit_is_refused(admin_client, settings):
    settings.DEMONSTRATION_MAX_BYTES = len(MP4) - 1
    response = upload(admin_client, MP4, "long.mp4")
    assert response.status_code == 200
    assert "at most" in errors(response)
    assert not Demonstration.objects.exists()


def test_a_physio_without_admin_rights_cannot_upload(db):
    client = Client()
    client.force_login(PhysioFactory())
    assert upload(client, MP4, "raise.mp4").status_code == 302  # to the admin's sign-in
    assert not Demonstration.objects.exists()


def test_deleting_or_replacing_a_demonstration_removes_its_old_file(
    admin_client, media_root, django_capture_on_commit_callbacks
):
    upload(admin_client, MP4, "raise.mp4")
    saved = Demonstration.objects.get()
    old = media_root / saved.file.name
    change = f"/admin/exercises/demonstration/{saved.id}/change/"
    form = {"exercise": saved.exercise, "kind": "video", "caption": saved.caption, "order": 0, "active": "on",
            "file": SimpleUploadedFile("new.webm", WEBM_BYTES)}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(change, form).status_code == 302
    saved.refresh_from_db()
    assert not old.exists()
    assert (media_root / saved.file.name).read_bytes() == WEBM_BYTES
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(f"/admin/exercises/demonstration/{saved.id}/delete/", {"post": "yes"})
    assert not Demonstration.objects.exists()
    assert not any(media_root.rglob("*.*"))
