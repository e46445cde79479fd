"""Personal data held by the accounts app itself."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator

from democracy.core.permissions import user_roles


def export_user_data(user) -> dict:
    return {
        "email": user.email,
        "name": user.name,
        "language": user.language,
        "date_joined": user.date_joined.isoformat(),
        "last_login": user.last_login.isoformat() if user.last_login else None,
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user)
        ],
        # Which second factors are set up, never their secrets.
        "second_factors": sorted(
            Authenticator.objects.filter(user=user).values_list("type", flat=True)
        ),
        "roles": sorted(user_roles(user)),
    }


def forget_user(user) -> None:
    """E-mail addresses and authenticators go with the account (database cascade)."""
