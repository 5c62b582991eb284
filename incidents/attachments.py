"""Plan materials: legal guides, process documents and evidence, uploaded once (stored in the
database with their SHA-256) and linked to any number of incidents.

Refusals carry their status: 413 over `MAX_BYTES`, 415 for a content type outside the
allow-list, 422 for an empty file, a bad name or kind, or bytes that are not what the content
type says (a PDF must start with %PDF-, a PNG with its signature, text must be UTF-8).
"""

from __future__ import annotations

import hashlib
import re

from sqlalchemy.orm import Session

from audit.events import Action, Subject
from audit.service import record
from core.actors import Actor
from core.db import get_or_not_found
from core.errors import DomainError, Invalid
from core.messages import Msg
from incidents.events import record_event
from incidents.material_models import Attachment, AttachmentLink
from incidents.repository import materials
from incidents.schemas import AttachmentOut
from incidents.service import get_incident

# Larger documents belong in a document system; the request body limit is 2 MiB anyway.
MAX_BYTES = 1024 * 1024
KINDS = ("legal_guide", "process_document", "evidence", "other")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEXT_TYPES = frozenset({"text/plain", "text/markdown", "text/csv"})
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    DOCX: (b"PK\x03\x04",),
}
ALLOWED = frozenset(SIGNATURES) | TEXT_TYPES
_FILENAME = re.compile(r"^[\w][\w .()-]{0,254}$")


class TooLarge(DomainError, status=413, code="attachment_too_large"):
    """The upload is over MAX_BYTES."""


class UnsupportedType(DomainError, status=415, code="unsupported_media_type"):
    """The upload's media type is not one of ALLOWED."""


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def check_upload(data: bytes, filename: str, content_type: str, kind: str) -> str:
    """The normalised media type, or the refusal."""
    media = _media_type(content_type)
    if len(data) > MAX_BYTES:
        raise TooLarge(
            Msg(
                "an attachment is at most {max_bytes} bytes, this one is {size}",
                max_bytes=MAX_BYTES,
                size=len(data),
            )
        )
    if media not in ALLOWED:
        raise UnsupportedType(
            Msg(
                "{media} is not accepted; send one of {choices}",
                media=media or "no type",
                choices=sorted(ALLOWED),
            )
        )
    if not data:
        raise Invalid(Msg("the file is empty"), code="empty_file")
    if not _FILENAME.match(filename) or ".." in filename:
        raise Invalid(
            Msg("the file name must be letters, digits, spaces and . _ - ( )"), code="bad_name"
        )
    if kind not in KINDS:
        raise Invalid(
            Msg("kind must be one of {choices}", choices=", ".join(KINDS)), code="bad_kind"
        )
    if media in TEXT_TYPES:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise Invalid(Msg("a text attachment must be UTF-8"), code="content_mismatch") from exc
    elif not data.startswith(SIGNATURES[media]):
        raise Invalid(Msg("the bytes are not a {media} file", media=media), code="content_mismatch")
    return media


def upload(
    session: Session,
    data: bytes,
    *,
    filename: str,
    content_type: str,
    title: str,
    kind: str,
    actor: Actor,
    incident_id: str | None = None,
) -> Attachment:
    media = check_upload(data, filename, content_type, kind)
    attachment = Attachment(
        title=(title.strip() or filename)[:300],
        kind=kind,
        filename=filename,
        content_type=media,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        uploaded_by=actor.name,
    )
    session.add(attachment)
    session.flush()
    if incident_id is not None:
        link(session, incident_id, attachment.id, actor)  # logged on the incident
    else:
        record(
            session,
            Action.INCIDENT_ATTACHMENT_ADDED,
            actor,
            Subject(other={"attachment_id": attachment.id}),
            after=_logged(attachment),
        )
    return attachment


def _logged(attachment: Attachment) -> dict[str, object]:
    keys = ("title", "kind", "filename", "content_type", "sha256", "size")
    return {k: getattr(attachment, k) for k in keys}


def get_attachment(session: Session, attachment_id: str) -> Attachment:
    missing = Msg("attachment {attachment_id} does not exist", attachment_id=attachment_id)
    return get_or_not_found(session, Attachment, attachment_id, missing)


def link(session: Session, incident_id: str, attachment_id: str, actor: Actor) -> AttachmentLink:
    """Link a material to an incident (idempotent), logged on the incident."""
    incident = get_incident(session, incident_id)
    attachment = get_attachment(session, attachment_id)
    existing = materials.attachment_link(session, incident.id, attachment.id)
    if existing is not None:
        return existing
    made = AttachmentLink(
        incident_id=incident.id, attachment_id=attachment.id, linked_by=actor.name
    )
    session.add(made)
    session.flush()
    record_event(
        session,
        Action.INCIDENT_ATTACHMENT_ADDED,
        actor,
        incident,
        other={"attachment_id": attachment.id},
        after=_logged(attachment),
    )
    return made


def describe(attachment: Attachment) -> dict[str, object]:
    return AttachmentOut.model_validate(attachment).model_dump()
