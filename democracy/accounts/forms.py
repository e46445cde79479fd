from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class ProfileForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=150,
        required=False,
        help_text=_("Shown only where you choose to appear by name, such as a signature."),
    )


    language = forms.ChoiceField(
        label=_("Language for e-mail"),
        choices=lambda: settings.LANGUAGES,  # read per form: the setting is the only list
        help_text=_("Messages about your proposals and signatures come in this language."),
    )


class AccountDeleteForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that my account and my personal data will be deleted."),
        required=True,
    )
