from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """allauth's defaults; e-mails go out through the queued backend like every other mail."""

    def clean_email(self, email):
        return super().clean_email(email).lower()
