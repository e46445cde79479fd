"""Demo accounts: one per staff role (with two-factor already set up) and a few residents.

The passwords and TOTP secrets are printed by ``manage.py seed_demo``; they are for the demo
municipality only and must never be used on a real installation.
"""

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth import get_user_model

from democracy.accounts.services import account_create, user_set_roles
from democracy.core.roles import Role

User = get_user_model()

DEMO_DOMAIN = "norrvik.example"

# (e-mail local part, name, roles, password, TOTP secret or None)
STAFF = [
    ("admin", "Alva Administratör", list(Role.values), "demo-admin-2026", "JBSWY3DPEHPK3PXPADMINAAA"),
    ("moderator", "Maja Moderator", [Role.MODERATOR], "demo-moderator-2026", "JBSWY3DPEHPK3PXPMODERATE"),
    ("registrator", "Rikard Registrator", [Role.DIARY_EDITOR], "demo-registrator-2026", "JBSWY3DPEHPK3PXPDIARYEDT"),
    ("valadmin", "Vera Valadministratör", [Role.ELECTION_ADMIN], "demo-valadmin-2026", "JBSWY3DPEHPK3PXPELECTION"),
    ("skolkontakt", "Sam Skolkontakt", [Role.SCHOOL_CONTACT], "demo-skolkontakt-2026", "JBSWY3DPEHPK3PXPSCHOOLCT"),
    # A staff member who has not set up two-factor yet: shows the guard at work.
    ("ny.moderator", "Nils Nymoderator", [Role.MODERATOR], "demo-nymoderator-2026", None),
]

RESIDENTS = [
    ("anna.andersson", "Anna Andersson"),
    ("bilal.hassan", "Bilal Hassan"),
    ("cecilia.lind", "Cecilia Lind"),
    ("david.nilsson", "David Nilsson"),
]
RESIDENT_PASSWORD = "demo-invanare-2026"  # noqa: S105 -- printed demo password


def seed(out) -> None:
    out("Demo accounts (for the demo municipality only):")
    for local, name, roles, password, secret in STAFF:
        email = f"{local}@{DEMO_DOMAIN}"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = account_create(
                email=email,
                password=password,
                name=name,
                is_staff=Role.DIARY_EDITOR in roles,
            )
            if local == "admin":
                user.is_superuser = True
                user.is_staff = True
                user.save(update_fields=["is_superuser", "is_staff"])
        user_set_roles(user=user, roles=roles, actor=None)
        if secret and not Authenticator.objects.filter(
            user=user, type=Authenticator.Type.TOTP
        ).exists():
            TOTP.activate(user, secret)
            RecoveryCodes.activate(user)
        role_names = ", ".join(str(Role(role).label) for role in roles)
        totp = f"TOTP secret {secret}" if secret else "no two-factor yet (set it up on first use)"
        out(f"  {email:32} {password:24} {role_names}; {totp}")
    for local, name in RESIDENTS:
        email = f"{local}@{DEMO_DOMAIN}"
        if not User.objects.filter(email=email).exists():
            account_create(email=email, password=RESIDENT_PASSWORD, name=name)
        out(f"  {email:32} {RESIDENT_PASSWORD:24} resident")
    out(
        "  A current TOTP code for a secret: "
        ".venv/bin/python -c \"import pyotp; print(pyotp.TOTP('SECRET').now())\""
    )
