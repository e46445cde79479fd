from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    """allauth's defaults; e-mails go out through the queued backend like every other mail."""

    def clean_email(self, email):
        return super().clean_email(email).lower()

    def send_mail(self, template_prefix, email, context):
        # Mails greet and sign in the municipality's name, not the host ("127.0.0.1:8101").
        context = {"municipality_name": settings.MUNICIPALITY_NAME, **context}
        return super().send_mail(template_prefix, email, context)

    def save_user(self, request, user, form, commit=True):
        # New accounts get their e-mail in the language they signed up in.
        language = translation.get_language() or settings.LANGUAGE_CODE
        if language in dict(settings.LANGUAGES):
            user.language = language
        return super().save_user(request, user, form, commit=commit)
