"""Sign-language films (decision 90): which pages each topic has, and the checks an uploaded
film and its captions pass before anything is stored.

A film is checked by its content, not its name: the first bytes must be a WebM (EBML with the
"webm" document type) or an MP4 (an ``ftyp`` box with an MP4 brand) container, which is what
every browser's ``<video>`` plays. The captions must be WebVTT in UTF-8 that ``webvtt-py``
parses, with at least one cue and every cue block readable.
"""

import io
import re
from dataclasses import dataclass

import webvtt
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from democracy.core.models import SignLanguageVideo

Topic = SignLanguageVideo.Topic


@dataclass(frozen=True)
class TopicPages:
    """The text pages of a topic: the ordinary page and the easy-Swedish one (URL names)."""

    page: str
    page_title: str
    easy_read: str


TOPIC_PAGES = {
    Topic.INFLUENCE: TopicPages(
        "core:home",
        gettext_lazy("The start page: how you can influence"),
        "core:easy-read-influence",
    ),
    Topic.PROPOSAL_RULES: TopicPages(
        "proposals:rules", gettext_lazy("Rules for e-proposals"), "proposals:easy-read"
    ),
    Topic.YOUTH_ELECTION: TopicPages(
        "youth_vote:home", gettext_lazy("Youth council election"), "youth_vote:easy-read"
    ),
}

VIDEO_TYPES = {"webm": "video/webm", "mp4": "video/mp4"}
CAPTIONS_TYPE = "text/vtt; charset=utf-8"
# MP4 brands (the ``ftyp`` box's major brand) of files a browser's <video> plays.
MP4_BRANDS = {
    b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"dash",
    b"M4V ", b"mmp4", b"MSNV", b"av01",
}  # fmt: skip
EBML_MAGIC = b"\x1a\x45\xdf\xa3"
# The EBML DocType element (0x4282), its size (one to eight bytes), then the type.
EBML_DOCTYPE = re.compile(rb"\x42\x82[\x81-\x88](webm|matroska)", re.DOTALL)


def video_max_bytes() -> int:
    return settings.SIGN_LANGUAGE_VIDEO_MAX_BYTES


def captions_max_bytes() -> int:
    return settings.SIGN_LANGUAGE_CAPTIONS_MAX_BYTES


def video_kind(upload) -> str:
    """``"webm"`` or ``"mp4"`` for an uploaded film; ValidationError with a message that says
    what is wrong and what to do otherwise."""
    size = upload.size or 0
    if size == 0:
        raise ValidationError(_("The film file is empty. Choose the film again."))
    if size > video_max_bytes():
        raise ValidationError(
            _(
                "The film is %(size)s. A film may be at most %(max)s: shorten it or save it with a lower quality."
            )
            % {"size": filesizeformat(size), "max": filesizeformat(video_max_bytes())}
        )
    upload.seek(0)
    head = upload.read(64)
    upload.seek(0)
    if head.startswith(EBML_MAGIC):
        match = EBML_DOCTYPE.search(head)
        if match and match.group(1) == b"webm":
            return "webm"
        if match:
            raise ValidationError(
                _(
                    "This is a Matroska (MKV) film, which not every browser plays. Save it as WebM or MP4."
                )
            )
    if head[4:8] == b"ftyp":
        if head[8:12] in MP4_BRANDS:
            return "mp4"
        if head[8:12] == b"qt  ":
            raise ValidationError(
                _("This is a QuickTime (MOV) film, which not every browser plays. Save it as MP4.")
            )
    raise ValidationError(
        _("The file is not a film in WebM or MP4 format. Choose a WebM or MP4 file.")
    )


def check_captions(upload) -> str:
    """The text of an uploaded WebVTT captions file, checked; ValidationError otherwise."""
    size = upload.size or 0
    if size == 0:
        raise ValidationError(_("The captions file is empty. Choose the captions file again."))
    if size > captions_max_bytes():
        raise ValidationError(
            _("The captions file is %(size)s. It may be at most %(max)s.")
            % {"size": filesizeformat(size), "max": filesizeformat(captions_max_bytes())}
        )
    upload.seek(0)
    raw = upload.read()
    upload.seek(0)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            _("The captions file is not saved as UTF-8 text. Save it as UTF-8 and try again.")
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not re.match(r"WEBVTT(?:[ \t][^\n]*)?(?:\n|$)", text):
        raise ValidationError(
            _("The captions file is not WebVTT: its first line must be WEBVTT. Choose a .vtt file.")
        )
    try:
        captions = webvtt.from_buffer(io.StringIO(text), strict=True).captions
    except (webvtt.errors.MalformedFileError, webvtt.errors.MalformedCaptionError) as error:
        raise ValidationError(
            _("The captions file could not be read as WebVTT (%(error)s). Check its cues.")
            % {"error": str(error)[:120]}
        ) from None
    if not captions:
        raise ValidationError(
            _(
                "The captions file has no captions. Each caption needs a time line such as 00:00:01.000 --> 00:00:04.000."
            )
        )
    blocks = [block for block in re.split(r"\n[ \t]*\n", text.strip())[1:] if block.strip()]
    cue_blocks = [b for b in blocks if not b.lstrip().startswith(("NOTE", "STYLE", "REGION"))]
    if len(cue_blocks) != len(captions):
        bad = len(cue_blocks) - len(captions)
        raise ValidationError(
            ngettext(
                "%(bad)d caption has no valid time line (such as 00:00:01.000 --> 00:00:04.000). Check the captions file.",
                "%(bad)d captions have no valid time line (such as 00:00:01.000 --> 00:00:04.000). Check the captions file.",
                bad,
            )
            % {"bad": bad}
        )
    for number, caption in enumerate(captions, start=1):
        if not caption.end_time > caption.start_time:
            raise ValidationError(
                _("Caption %(number)s ends before it starts (%(start)s --> %(end)s).")
                % {"number": number, "start": caption.start, "end": caption.end}
            )
    return text
