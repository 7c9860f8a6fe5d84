"""What a clinic may upload as an exercise demonstration, told by the file's first bytes (a browser's claimed
content type and a file's name are the uploader's word, not the file's), and the name it is stored under.

The stored name is the SHA-256 of the content: unguessable without the file, and a new upload is a new URL, so
a phone's cached copy (the service worker keeps each file it has shown) is never stale.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File

VIDEO = "video"
IMAGE = "image"

# content type: (kind, extension, test on the first 16 bytes)
TYPES = {
    "video/mp4": (VIDEO, "mp4", lambda head: head[4:8] == b"ftyp"),
    "video/webm": (VIDEO, "webm", lambda head: head[:4] == b"\x1a\x45\xdf\xa3"),
    "image/png": (IMAGE, "png", lambda head: head[:8] == b"\x89PNG\r\n\x1a\n"),
    "image/jpeg": (IMAGE, "jpg", lambda head: head[:3] == b"\xff\xd8\xff"),
    "image/webp": (IMAGE, "webp", lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP"),
}
CONTENT_TYPE_OF_EXTENSION = {ext: content_type for content_type, (_, ext, _) in TYPES.items()}
ALLOWED_TEXT = "MP4 or WebM video; PNG, JPEG or WebP image"


def sniff(file: File) -> str | None:
    """The content type the file's bytes show, or None when it is none of the allowed types."""
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    return next((content_type for content_type, (_, _, test) in TYPES.items() if test(head)), None)


def validate_upload(file: File) -> None:
    """A field validator: an allowed type (by content) and no larger than DEMONSTRATION_MAX_BYTES."""
    limit = settings.DEMONSTRATION_MAX_BYTES
    if file.size > limit:
        raise ValidationError(
            "The file is %(size)s MB; a demonstration may be at most %(limit)s MB.",
            code="too_large",
            params={"size": round(file.size / 1e6, 1), "limit": round(limit / 1e6, 1)},
        )
    if sniff(file) is None:
        raise ValidationError(f"This is not an allowed file: {ALLOWED_TEXT}.", code="file_type")


def kind_of(file: File) -> str | None:
    content_type = sniff(file)
    return TYPES[content_type][0] if content_type else None


def content_hash(file: File) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def stored_name(instance, filename: str) -> str:
    """``upload_to``: demonstrations/<sha256 of the content>.<extension of the sniffed type>."""
    file = instance.file.file
    _, extension, _ = TYPES[sniff(file)]
    return f"demonstrations/{content_hash(file)}.{extension}"
