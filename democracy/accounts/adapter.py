from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class AccountAdapter(DefaultAccountAdapter):
    """allauth's defaults; e-mails go out through the queued backend like every other mail."""

    # allauth's own wording in Delta's plain voice (its Swedish says "Epost-adressen och/eller").
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": _("The e-mail address or the password is wrong."),
        "unknown_email": _("No account has this e-mail address."),
        "email_taken": _("There is already an account with this e-mail address."),
        "select_only_one": _("Choose only one."),
    }

    def clean_email(self, email):
        return super().clean_email(email).lower()

    def send_mail(self, template_prefix, email, context):
        # Mails greet and sign in the municipality's name, not the host ("127.0.0.1:8101").
        context = {"municipality_name": settings.MUNICIPALITY_NAME, **context}
        return super().send_mail(template_prefix, email, context)

    def post_login(self, request, user, **kwargs):
        # The language a person chose is kept with the account: signing in on a device where
        # no language was chosen yet shows the site in it (a choice made here wins).
        response = super().post_login(request, user, **kwargs)
        if (
            settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and user.language != settings.LANGUAGE_CODE
            and user.language in dict(settings.LANGUAGES)
        ):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                user.language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response

    def save_user(self, request, user, form, commit=True):
        # New accounts get their e-mail in the language they signed up in.
        language = translation.get_language() or settings.LANGUAGE_CODE
        if language in dict(settings.LANGUAGES):
            user.language = language
        return super().save_user(request, user, form, commit=commit)
