from django import forms
from django.utils.translation import gettext_lazy as _


class DocumentRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("The registrar answers here. You do not have to give your name or say why."),
    )
    name = forms.CharField(label=_("Your name (optional)"), max_length=100, required=False)
    message = forms.CharField(
        label=_("Anything to add (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search for"), max_length=200, required=False)
