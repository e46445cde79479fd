"""Every role against every lifecycle state, for sign, edit, withdraw and moderate.

The expected matrix is written out here; the test checks both the predicates and what the
HTTP interface actually does for each cell.
"""

import pytest
from django.urls import reverse

from democracy.core.roles import Role
from proposals import permissions
from proposals.models import Proposal
from tests.proposals.conftest import STATES

pytestmark = pytest.mark.django_db

S = Proposal.Status
ROLES = ["anonymous", "resident", "proposer", "moderator", "diary_editor"]

# role → the states in which the action is allowed
SIGN = {
    "anonymous": set(),
    "resident": {S.PUBLISHED},
    "proposer": {S.PUBLISHED},
    "moderator": {S.PUBLISHED},
    "diary_editor": {S.PUBLISHED},
}
EDIT = {role: set() for role in ROLES} | {"proposer": {S.DRAFT, S.REVISION_REQUESTED}}
WITHDRAW = {role: set() for role in ROLES} | {
    "proposer": {S.DRAFT, S.SUBMITTED, S.REVISION_REQUESTED, S.PUBLISHED}
}
MODERATE = {role: set() for role in ROLES} | {"moderator": {S.SUBMITTED}}


@pytest.fixture
def actors(make_user, proposer, moderator):
    from django.contrib.auth.models import AnonymousUser

    return {
        "anonymous": AnonymousUser(),
        "resident": make_user(name="Rita Resident"),
        "proposer": proposer,
        "moderator": moderator,
        "diary_editor": make_user(roles=[Role.DIARY_EDITOR], totp=True),
    }


@pytest.mark.parametrize("status", STATES)
def test_predicates_match_the_matrix(make_proposal, actors, status):
    proposal = make_proposal(status)
    for role, user in actors.items():
        assert permissions.can_sign(user, proposal) == (status in SIGN[role]), (role, "sign")
        assert permissions.can_edit(user, proposal) == (status in EDIT[role]), (role, "edit")
        assert permissions.can_withdraw(user, proposal) == (status in WITHDRAW[role]), (
            role,
            "withdraw",
        )
        assert permissions.can_moderate(user, proposal) == (status in MODERATE[role]), (
            role,
            "moderate",
        )


def _login(client, user):
    client.logout()
    if user.is_authenticated:
        client.force_login(user)


@pytest.mark.parametrize("status", STATES)
def test_http_interface_enforces_the_matrix(
    client, make_proposal, actors, status, committee, django_capture_on_commit_callbacks
):
    for role, user in actors.items():
        proposal = make_proposal(status)
        _login(client, user)

        # Sign: a signature row appears only where allowed.
        before = proposal.signatures.count()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("proposals:proposal-sign", args=[proposal.pk]), {"visibility": "anonymous"}
            )
        assert response.status_code in (302, 404), (role, status, response.status_code)
        signed = proposal.signatures.count() == before + 1
        assert signed == (status in SIGN[role]), (role, status, "sign")

        # Edit: the form is offered only where allowed.
        response = client.get(reverse("proposals:proposal-edit", args=[proposal.pk]))
        editable = response.status_code == 200
        assert editable == (status in EDIT[role]), (role, status, "edit", response.status_code)

        # Moderate: publishing works only for a moderator on a submitted proposal.
        response = client.post(
            reverse("proposals:moderation-publish", args=[proposal.pk]),
            {"responsible_organization": committee.pk},
        )
        fresh = Proposal.objects.get(pk=proposal.pk)
        published_now = status == S.SUBMITTED and fresh.status == S.PUBLISHED
        assert published_now == (status in MODERATE[role]), (role, status, "moderate")
        if role in ("anonymous",):
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        elif role in ("resident", "proposer", "diary_editor"):
            assert response.status_code == 403

        # Withdraw: last, because it changes the state.
        proposal = Proposal.objects.get(pk=proposal.pk)
        before = proposal.status
        client.post(reverse("proposals:proposal-withdraw", args=[proposal.pk]))
        after = Proposal.objects.get(pk=proposal.pk).status
        withdrew = after == S.WITHDRAWN and before != S.WITHDRAWN
        allowed_before = before in WITHDRAW[role]
        assert withdrew == allowed_before, (role, status, "withdraw")


def test_a_moderator_does_not_moderate_their_own_proposal(
    client, make_proposal, make_user, committee, reason
):
    """A moderator may write proposals like anyone, but another moderator checks them."""
    author = make_user(name="Mona Moderator", roles=[Role.MODERATOR], totp=True)
    proposal = make_proposal(S.SUBMITTED, author=author)
    client.force_login(author)
    page = client.get(reverse("proposals:moderation-detail", args=[proposal.pk]))
    assert page.status_code == 200 and not page.context["can_moderate"]
    for action, data in [
        ("publish", {"responsible_organization": committee.pk}),
        ("revise", {"message": "Ändra."}),
        ("reject", {"reason": reason.pk, "text": "Nej."}),
        ("hide", {"reason": "Döljs."}),
    ]:
        client.post(reverse(f"proposals:moderation-{action}", args=[proposal.pk]), data)
        assert Proposal.objects.get(pk=proposal.pk).status == S.SUBMITTED, action
    response = client.post(
        reverse("proposals:moderation-publish", args=[proposal.pk]),
        {"responsible_organization": committee.pk},
        follow=True,
    )
    assert "En annan moderator" in response.content.decode()
    other = make_user(roles=[Role.MODERATOR], totp=True)
    client.force_login(other)
    client.post(
        reverse("proposals:moderation-publish", args=[proposal.pk]),
        {"responsible_organization": committee.pk},
    )
    assert Proposal.objects.get(pk=proposal.pk).status == S.PUBLISHED
