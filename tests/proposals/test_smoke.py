import pytest

from tests.proposals.conftest import STATES

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("status", STATES)
def test_every_state_can_be_reached(make_proposal, status):
    assert make_proposal(status).status == status
