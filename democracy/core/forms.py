"""Forms of the core's staff pages, and how every app's views put a service's refusal on a
form."""

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from democracy.core import sign_language


def apply_errors(form, error: ValidationError) -> None:
    """Show a service's ``ValidationError`` on ``form``: each field's messages at that field
    (at the top for a field the form does not have), a message without a field at the top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class SignLanguageVideoForm(forms.Form):
    """A topic's sign-language film. The files are checked by the service (their content),
    so a bad file comes back as that field's error with the text and the choice kept. A
    missing file of a first upload is also refused here, so that it is shown together with
    a missing text (the service refuses it too, for callers without this form)."""

    video = forms.FileField(
        label=_("Film in Swedish Sign Language"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "video/webm,video/mp4,.webm,.mp4"}),
    )
    captions = forms.FileField(
        label=_("Captions in Swedish (WebVTT)"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "text/vtt,.vtt"}),
    )
    text_alternative = forms.CharField(
        label=_("What the film says, as text"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Shown below the film for people who cannot see or hear it. Write in Swedish."),
    )
    is_published = forms.BooleanField(
        label=_("Published: show the film on the sign-language page"), required=False
    )

    def __init__(self, *args, existing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.existing = existing
        size = filesizeformat(sign_language.video_max_bytes())
        if existing is None:
            self.fields["video"].help_text = _("WebM or MP4, at most %(size)s.") % {"size": size}
            self.fields["captions"].help_text = _("A .vtt file in UTF-8.")
        else:
            self.fields["video"].help_text = _(
                "WebM or MP4, at most %(size)s. Leave empty to keep the film you have."
            ) % {"size": size}
            self.fields["captions"].help_text = _(
                "A .vtt file in UTF-8. Leave empty to keep the captions you have."
            )

    def clean(self):
        cleaned = super().clean()
        if self.existing is None:  # the first upload needs both files
            if not cleaned.get("video") and "video" not in self.errors:
                self.add_error("video", _("Choose the film (WebM or MP4)."))
            if not cleaned.get("captions") and "captions" not in self.errors:
                self.add_error("captions", _("Choose the captions file (WebVTT, .vtt)."))
        return cleaned
