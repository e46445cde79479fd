"""Sign-language films (issue 15 item 6, decision 90): staff upload a film in Swedish Sign
Language with Swedish WebVTT captions and a text alternative for three topics; the files are
checked by their content; /teckensprak/ shows the published films with an accessible player;
the header of every page links there; files are sent from our own origin, unpublished ones to
staff only; the page's policy allows media from our own origin only."""

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from democracy.core import sign_language
from democracy.core.models import AuditEntry, SignLanguageVideo
from democracy.core.roles import Role

pytestmark = pytest.mark.django_db

Topic = SignLanguageVideo.Topic


def webm_bytes(extra: bytes = b"") -> bytes:
    """The start of a WebM file: an EBML header with the "webm" document type, then a
    Segment (enough for the content check, which reads the container's first bytes)."""
    header = (
        b"\x42\x86\x81\x01"  # EBMLVersion 1
        b"\x42\xf7\x81\x01"  # EBMLReadVersion 1
        b"\x42\xf2\x81\x04"  # EBMLMaxIDLength 4
        b"\x42\xf3\x81\x08"  # EBMLMaxSizeLength 8
        b"\x42\x82\x84webm"  # DocType "webm"
        b"\x42\x87\x81\x02"  # DocTypeVersion 2
        b"\x42\x85\x81\x02"  # DocTypeReadVersion 2
    )
    return (
        b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(header)]) + header + b"\x18\x53\x80\x67\x80" + extra
    )


def mp4_bytes() -> bytes:
    """The start of an MP4 file: an ``ftyp`` box with the isom brand, then an empty ``mdat``."""
    return b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isommp41" + b"\x00\x00\x00\x08mdat"


VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nSå kan du påverka.\n\n00:00:02.000 --> 00:00:04.000\nDu kan skriva ett e-förslag.\n"
TEXT = "Så kan du påverka i kommunen.\nDu kan skriva ett e-förslag."


def upload(name, content, content_type="application/octet-stream"):
    if isinstance(content, str):
        content = content.encode("utf-8")
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def editor(make_user):
    return make_user(email="editor@example.org", roles=[Role.DIARY_EDITOR], totp=True)


@pytest.fixture
def editor_client(editor):
    editor_client = Client()
    editor_client.force_login(editor)
    return editor_client


def edit_url(topic=Topic.INFLUENCE):
    return reverse("core:staff-sign-language-edit", args=[topic.value])


def post_film(client, topic=Topic.INFLUENCE, **overrides):
    data = {
        "video": upload("film.webm", webm_bytes(b"\x00" * 64), "video/webm"),
        "captions": upload("text.vtt", VTT, "text/vtt"),
        "text_alternative": TEXT,
        "is_published": "on",
    }
    data.update(overrides)
    data = {key: value for key, value in data.items() if value is not None}
    return client.post(edit_url(topic), data)


# --- The content checks ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,content,kind",
    [
        ("a.webm", webm_bytes(), "webm"),
        ("a.mp4", mp4_bytes(), "mp4"),
        ("named-wrong.mov", mp4_bytes(), "mp4"),
    ],
)
def test_a_film_is_known_by_its_content(name, content, kind):
    assert sign_language.video_kind(upload(name, content)) == kind


@pytest.mark.parametrize(
    "content,message",
    [
        (b"", "empty"),
        (b"<html><script>alert(1)</script></html>", "not a film in WebM or MP4"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "not a film in WebM or MP4"),
        (webm_bytes().replace(b"\x84webm", b"\x88matroska"), "Matroska"),
        (b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  ", "QuickTime"),
        (b"\x00\x00\x00\x14ftypM4A \x00\x00\x02\x00M4A ", "not a film in WebM or MP4"),
    ],
)
def test_a_file_that_is_not_a_web_film_is_refused_with_a_reason(content, message):
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        sign_language.video_kind(upload("film.webm", content))
    assert message in " ".join(refused.value.messages)


def test_a_film_over_the_limit_is_refused(settings):
    settings.SIGN_LANGUAGE_VIDEO_MAX_BYTES = 100
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        sign_language.video_kind(upload("film.webm", webm_bytes(b"\x00" * 200)))
    assert "at most 100" in " ".join(refused.value.messages)


def test_valid_captions_pass():
    assert sign_language.check_captions(upload("a.vtt", "\ufeff" + VTT.replace("\n", "\r\n")))


@pytest.mark.parametrize(
    "content,message",
    [
        ("", "empty"),
        ("1\n00:00:00,000 --> 00:00:02,000\nHej\n", "first line must be WEBVTT"),
        ("WEBVTT\n", "no captions"),
        ("WEBVTT\n\n00:00.000 -> 00:02.000\nHej\n", "no captions"),
        (
            "WEBVTT\n\n00:00.000 --> 00:02.000\nHej\n\n00:03.000 -> 00:04.000\nDå\n",
            "1 caption has no valid time line",
        ),
        ("WEBVTT\n\nfoo --> bar\nHej\n", "could not be read as WebVTT"),
        ("WEBVTT\n\n00:00:05.000 --> 00:00:01.000\nHej\n", "ends before it starts"),
        ("WEBVTT\n\n00:00.000 --> 00:02.000\nH\xe4j\n".encode("latin-1"), "UTF-8"),
    ],
)
def test_bad_captions_are_refused_with_a_reason(content, message):
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        sign_language.check_captions(upload("a.vtt", content))
    assert message in " ".join(refused.value.messages)


# --- The staff page --------------------------------------------------------------------------


def test_only_the_editors_role_with_two_factor_opens_the_staff_page(client, make_user):
    url = reverse("core:staff-sign-language")
    assert client.get(url).status_code == 302  # to sign in
    client.force_login(make_user(roles=[Role.MODERATOR], totp=True))
    assert client.get(url).status_code == 403
    client.force_login(make_user(roles=[Role.DIARY_EDITOR]))  # no second factor yet
    assert client.get(url)["Location"] == reverse("mfa_activate_totp")
    client.force_login(make_user(roles=[Role.DIARY_EDITOR], totp=True))
    assert client.get(url).status_code == 200
    assert client.get(reverse("core:staff-sign-language-edit", args=["nothing"])).status_code == 404


def test_the_staff_start_page_lists_the_tool_for_the_editor(editor_client):
    page = editor_client.get(reverse("core:staff-home")).content.decode()
    assert reverse("core:staff-sign-language") in page


def test_an_upload_is_stored_under_a_new_name_and_audited(editor_client, editor):
    response = post_film(editor_client)
    assert response.status_code == 302, response.content.decode()[:2000]
    row = SignLanguageVideo.objects.get(topic=Topic.INFLUENCE)
    assert row.is_published and row.text_alternative == TEXT
    assert row.video.name.startswith("core/sign_language/influence-")
    assert row.video.name.endswith(".webm") and row.captions.name.endswith(".vtt")
    assert "film" not in row.video.name  # the uploader's file name is not used
    actions = list(AuditEntry.objects.values_list("action", "actor_id"))
    assert ("core.signlanguagevideo.create", editor.pk) in actions
    assert ("core.signlanguagevideo.publish", editor.pk) in actions
    # An MP4 named .webm is stored as what it is.
    post_film(editor_client, Topic.PROPOSAL_RULES, video=upload("x.webm", mp4_bytes()))
    assert SignLanguageVideo.objects.get(topic=Topic.PROPOSAL_RULES).video.name.endswith(".mp4")


def test_a_bad_file_is_refused_with_a_message_and_the_text_is_kept(editor_client):
    response = post_film(
        editor_client,
        video=upload("film.webm", b"GIF89a not a film", "video/webm"),
        text_alternative="Min text som inte får försvinna.",
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The file is not a film in WebM or MP4 format" in page or "inte en film" in page
    assert "Min text som inte får försvinna." in page
    assert (
        'name="is_published" checked' in page
        or "checked" in page.split('name="is_published"')[1][:40]
    )
    assert not SignLanguageVideo.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="core.signlanguagevideo").exists()
    # Bad captions likewise, each error at its own field.
    response = post_film(editor_client, captions=upload("text.vtt", "hello"))
    assert response.status_code == 400 and 'id="id_captions_error"' in response.content.decode()
    assert not SignLanguageVideo.objects.exists()


def test_the_first_upload_needs_both_files_and_the_text(editor_client):
    response = post_film(editor_client, video=None, text_alternative="  ")
    assert response.status_code == 400
    assert 'id="id_video_error"' in response.content.decode()
    assert not SignLanguageVideo.objects.exists()


def test_a_change_keeps_the_files_left_empty_and_deletes_replaced_ones(
    editor_client, django_capture_on_commit_callbacks
):
    post_film(editor_client)
    row = SignLanguageVideo.objects.get()
    old_video, old_captions = row.video.name, row.captions.name
    old_url = row.video.url
    with django_capture_on_commit_callbacks(execute=True):
        response = post_film(
            editor_client, captions=None, text_alternative="Ny text.", is_published=None
        )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.captions.name == old_captions and row.text_alternative == "Ny text."
    assert row.video.name != old_video and not row.is_published
    assert not row.video.storage.exists(old_video)
    assert editor_client.get(old_url).status_code == 404
    assert AuditEntry.objects.filter(action="core.signlanguagevideo.unpublish").exists()
    change = AuditEntry.objects.filter(action="core.signlanguagevideo.change").get()
    assert change.data["fields"] == ["video", "text_alternative"]


# --- Serving the files -----------------------------------------------------------------------


def test_files_are_served_only_while_published_except_to_the_editor(editor_client, client):
    post_film(editor_client, is_published=None)
    row = SignLanguageVideo.objects.get()
    for url in (row.video.url, row.captions.url):
        assert client.get(url).status_code == 404  # anonymous: not there
        response = editor_client.get(url)
        assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    row.is_published = True
    row.save()
    video = client.get(row.video.url)
    assert video.status_code == 200 and video["Content-Type"] == "video/webm"
    assert video["Cache-Control"].startswith("public")
    assert b"".join(video.streaming_content).startswith(b"\x1a\x45\xdf\xa3")


def test_captions_are_served_as_text_vtt_from_our_origin(editor_client, client, settings):
    settings.DEBUG = True
    post_film(editor_client)
    row = SignLanguageVideo.objects.get()
    assert row.captions.url.startswith(django_settings.MEDIA_URL)  # same origin, a path
    response = client.get(row.captions.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/vtt; charset=utf-8"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).decode() == VTT


def test_a_film_answers_byte_ranges(editor_client, client):
    post_film(editor_client)
    row = SignLanguageVideo.objects.get()
    whole = b"".join(client.get(row.video.url).streaming_content)
    part = client.get(row.video.url, HTTP_RANGE="bytes=4-11")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 4-11/{len(whole)}"
    assert b"".join(part.streaming_content) == whole[4:12]
    tail = client.get(row.video.url, HTTP_RANGE="bytes=-5")
    assert b"".join(tail.streaming_content) == whole[-5:]
    assert client.get(row.video.url, HTTP_RANGE=f"bytes={len(whole)}-").status_code == 416
    assert client.get(row.video.url, HTTP_RANGE="bytes=a-b").status_code == 200


def test_behind_nginx_the_file_goes_by_internal_redirect(editor_client, client, settings):
    post_film(editor_client)
    settings.MEDIA_INTERNAL_URL = "/internal-media/"
    row = SignLanguageVideo.objects.get()
    response = client.get(row.video.url)
    assert response["X-Accel-Redirect"] == "/internal-media/" + row.video.name


# --- The public page and the links to it -------------------------------------------------------


def test_without_films_the_page_says_so_and_links_the_text_pages(client):
    page = client.get(reverse("core:sign-language")).content.decode()
    assert "<video" not in page
    assert (
        page.count("There is no film in sign language about this yet") == 3
        or page.count("Det finns ingen film på teckenspråk om det här ännu") == 3
    )
    for name in ("core:easy-read-influence", "proposals:easy-read", "youth_vote:easy-read",
                 "proposals:rules", "youth_vote:home"):  # fmt: skip
        assert f'href="{reverse(name)}' in page


def test_a_published_film_has_a_player_with_swedish_captions_and_the_text(editor_client, client):
    post_film(editor_client)
    post_film(editor_client, Topic.YOUTH_ELECTION, is_published=None)  # not published
    row = SignLanguageVideo.objects.get(topic=Topic.INFLUENCE)
    page = client.get(reverse("core:sign-language")).content.decode()
    assert page.count("<video controls") == 1
    assert f'<source src="{row.video.url}" type="video/webm">' in page
    assert (
        f'<track kind="captions" srclang="sv" label="Svenska" src="{row.captions.url}" default>'
        in page
    )
    assert '<div class="sign-language__text" lang="sv"><p>Så kan du påverka i kommunen.<br>' in page
    assert page.count("Det finns ingen film på teckenspråk om det här ännu") == 2


def test_each_topic_page_links_its_film_when_published(editor_client, client):
    pages = {
        Topic.INFLUENCE: ["/", reverse("core:easy-read-influence")],
        Topic.PROPOSAL_RULES: [reverse("proposals:rules"), reverse("proposals:easy-read")],
        Topic.YOUTH_ELECTION: [reverse("youth_vote:home"), reverse("youth_vote:easy-read")],
    }
    for topic, paths in pages.items():
        link = f'href="{reverse("core:sign-language")}#topic-{topic.value}"'
        post_film(editor_client, topic, is_published=None)
        for path in paths:
            assert link not in client.get(path).content.decode(), path
        post_film(editor_client, topic, video=None, captions=None)
        for path in paths:
            assert link in client.get(path).content.decode(), path


@pytest.mark.parametrize("language", ["sv", "en", "fi", "ar"])
def test_every_page_links_to_sign_language_in_the_header(client, language):
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    link = f'<a href="{reverse("core:sign-language")}" lang="sv">Teckenspråk</a>'
    for path in [
        "/",
        reverse("proposals:rules"),
        reverse("core:privacy"),
        reverse("core:sign-language"),
    ]:
        header = client.get(path).content.decode().split("</header>")[0]
        assert link in header, path


def test_the_booth_keeps_its_kiosk_header_without_the_link(client):
    header = client.get(reverse("youth_vote:booth")).content.decode().split("</header>")[0]
    assert "Teckenspråk" not in header and "Lättläst" not in header


def test_the_page_allows_media_from_our_own_origin_only(client):
    policy = client.get(reverse("core:sign-language"))["Content-Security-Policy"]
    directives = dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";") if part.strip()
    )
    assert directives["media-src"] == "'self'"
    assert directives["default-src"] == "'self'"
