"""The booth through HTTP: codes, ballot, confirmation, cast, tracker, reset, refusals."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.utils import timezone

from democracy.core.models import AuditEntry, StaffAlert
from tests.youth_vote.conftest import vote_for
from youth_vote import booth as booth_module
from youth_vote import codes
from youth_vote.models import Ballot, Participation, Tracker, Voter

pytestmark = pytest.mark.django_db


def _first(built, index=0):
    school_class = built.classes[0]
    voter = built.voters(school_class)[index]
    return voter, built.codes[voter.pk], built.session_code(school_class)


def test_full_cast_stores_one_anonymous_ballot_and_shows_the_tracker_once(built, booth, client):
    voter, code, session_code = _first(built)
    start = client.get("/youth-vote/vote/")
    assert start.status_code == 200
    assert "no-store" in start["Cache-Control"]
    assert "Rösta till ungdomsfullmäktige" in start.content.decode()

    entered = booth.enter(code, session_code)
    assert entered.status_code == 200
    html = entered.content.decode()
    shown = booth.choices(entered)
    expected = {str(c.key) for c in built.candidates[voter.district_id]}
    assert set(shown) == expected  # the student's own district, nothing else
    assert 'value="blank"' in html
    assert Ballot.objects.count() == 0

    ballot_pass = booth.ballot_pass(entered)
    confirmed = booth.confirm(ballot_pass, shown[1])
    assert confirmed.status_code == 200
    assert "Är det rätt?" in confirmed.content.decode()
    # Nothing about the choice is stored before the cast: not in the database, no session.
    assert Ballot.objects.count() == 0 and Participation.objects.count() == 0
    assert Session.objects.count() == 0

    cast = booth.cast(ballot_pass, shown[1])
    assert cast.status_code == 303
    assert cast["Location"] == "/youth-vote/vote/done/"
    assert "no-store" in cast["Cache-Control"]
    ballot = Ballot.objects.get()
    assert built.ballot_choice(ballot) == shown[1]
    assert ballot.district_id == voter.district_id
    assert Participation.objects.get().voter_id == voter.pk
    tracker = Tracker.objects.get().code

    done = client.get(cast["Location"])
    assert done.status_code == 200
    assert tracker in done.content.decode()
    assert "no-store" in done["Cache-Control"]
    # Shown once: the cookie is deleted, a reload shows an empty booth.
    assert done.cookies[booth_module.TRACKER_COOKIE].value == ""
    again = client.get("/youth-vote/vote/done/")
    assert tracker not in again.content.decode()
    assert Session.objects.count() == 0


def test_blank_vote_is_a_distinct_accepted_choice(built, booth):
    _voter, code, session_code = _first(built)
    _choice, cast = booth.vote(code, session_code, pick="blank")
    assert cast.status_code == 303
    assert built.ballot_choice(Ballot.objects.get()) is None


def test_second_vote_with_the_same_code_is_refused_plainly(built, booth):
    _voter, code, session_code = _first(built)
    choice, cast = booth.vote(code, session_code)
    assert cast.status_code == 303
    again = booth.enter(code, session_code)
    assert again.status_code == 409
    assert "Du har redan röstat" in again.content.decode()
    assert Ballot.objects.count() == 1 and Participation.objects.count() == 1


def test_replaying_the_cast_form_is_refused(built, booth):
    _voter, code, session_code = _first(built)
    entered = booth.enter(code, session_code)
    ballot_pass = booth.ballot_pass(entered)
    choice = booth.choices(entered)[0]
    assert booth.cast(ballot_pass, choice).status_code == 303
    replay = booth.cast(ballot_pass, choice)
    assert replay.status_code == 409
    assert Ballot.objects.count() == 1


@pytest.mark.parametrize(
    "bad",
    ["not-a-uuid", "00000000-0000-0000-0000-000000000000", "", "blank; DROP TABLE", "x" * 200],
)
def test_malformed_or_foreign_choice_is_refused_and_does_not_spend_the_code(built, booth, bad):
    voter, code, session_code = _first(built)
    entered = booth.enter(code, session_code)
    ballot_pass = booth.ballot_pass(entered)
    for response in (booth.confirm(ballot_pass, bad), booth.cast(ballot_pass, bad)):
        assert response.status_code == 400
    assert Ballot.objects.count() == 0 and Participation.objects.count() == 0
    # The code still works afterwards.
    _choice, cast = booth.vote(code, session_code)
    assert cast.status_code == 303


def test_a_ballot_with_two_choices_is_refused_and_does_not_spend_the_code(
    built, booth, client, contact
):
    voter, code, session_code = _first(built)
    entered = booth.enter(code, session_code)
    ballot_pass = booth.ballot_pass(entered)
    first, second = booth.choices(entered)[:2]
    for step in ("confirm", "cast"):
        response = booth.client.post(
            f"/youth-vote/vote/{step}/", {"ballot_pass": ballot_pass, "choice": [first, second]}
        )
        assert response.status_code == 400, step
    assert Ballot.objects.count() == 0 and Participation.objects.count() == 0
    # The paper-ballot form refuses two choices too.
    other = built.voters(voter.school_class)[1]
    client.force_login(contact)
    options = [str(c.key) for c in built.candidates[other.district_id]][:2]
    client.post(
        f"/youth-vote/schools/{other.school_class.school_id}/manual/",
        {"voter": other.pk, "choice": options},
    )
    assert Ballot.objects.count() == 0 and Participation.objects.count() == 0
    _choice, cast = booth.vote(code, session_code)
    assert cast.status_code == 303


def test_candidate_of_another_district_is_refused(built, booth):
    voter, code, session_code = _first(built)
    other = next(d for d in built.districts if d.pk != voter.district_id)
    foreign = str(built.candidates[other.pk][0].key)
    entered = booth.enter(code, session_code)
    ballot_pass = booth.ballot_pass(entered)
    assert booth.cast(ballot_pass, foreign).status_code == 400
    assert Ballot.objects.count() == 0


def test_tampered_pass_is_refused(built, booth):
    voter, code, session_code = _first(built)
    entered = booth.enter(code, session_code)
    ballot_pass = booth.ballot_pass(entered)
    choice = booth.choices(entered)[0]
    forged = ballot_pass[:-3] + ("AAA" if not ballot_pass.endswith("AAA") else "BBB")
    assert booth.cast(forged, choice).status_code == 400
    assert Ballot.objects.count() == 0


def test_wrong_codes_are_refused_with_one_message(built, booth):
    voter, code, session_code = _first(built)
    wrong_session = "000000" if session_code != "000000" else "111111"
    for personal, session in [
        (code, wrong_session),
        ("ABCD-EFGH-JKMN-P", session_code),
        ("short", session_code),
        ("", ""),
    ]:
        response = booth.enter(personal, session)
        assert response.status_code == 400
        assert 'name="ballot_pass"' not in response.content.decode()


def test_a_code_is_useless_without_its_own_class_session(built, booth, contact):
    from youth_vote import services

    first_class, second_class = built.classes[0], built.classes[1]
    voter = built.voters(first_class)[0]
    # The other class's session code does not open this student's ballot.
    assert booth.enter(built.codes[voter.pk], built.session_code(second_class)).status_code == 400
    # After the class's session ends, the right codes no longer work either.
    services.session_end(session=built.sessions[first_class.pk], actor=contact)
    assert booth.enter(built.codes[voter.pk], built.session_code(first_class)).status_code == 400
    assert Ballot.objects.count() == 0


def test_ending_the_session_stops_a_ballot_already_on_screen(built, booth, contact):
    from youth_vote import services

    voter, code, session_code = _first(built)
    entered = booth.enter(code, session_code)
    ballot_pass = booth.ballot_pass(entered)
    services.session_end(session=built.sessions[built.classes[0].pk], actor=contact)
    assert booth.cast(ballot_pass, "blank").status_code == 400
    assert Ballot.objects.count() == 0


def test_session_code_tolerates_a_little_clock_drift_only(built, booth):
    voter, code, _ = _first(built)
    secret = built.sessions[built.classes[0].pk].secret
    now = timezone.now()
    previous = codes.session_code_now(secret, for_time=now - timedelta(seconds=60))
    stale = codes.session_code_now(secret, for_time=now - timedelta(seconds=300))
    if stale != codes.session_code_now(secret, for_time=now):
        assert booth.enter(code, stale).status_code == 400
    assert booth.enter(code, previous).status_code == 200


def test_votes_outside_the_window_are_refused(built, booth):
    voter, code, session_code = _first(built)
    entered = booth.enter(code, session_code)
    ballot_pass = booth.ballot_pass(entered)
    election = built.election
    with time_machine.travel(election.closes_at + timedelta(seconds=1), tick=False):
        refused = booth.cast(ballot_pass, "blank")
        assert refused.status_code == 403
        assert booth.enter(code, session_code).status_code == 403
    assert Ballot.objects.count() == 0


def _wrong_codes(device, n):
    for _ in range(n):
        assert device.enter("ZZZZ-ZZZZ-ZZZZ-Z", "123456").status_code == 400


def test_a_device_that_fails_often_waits_and_is_flagged(built, booth, client):
    _voter, code, session_code = _first(built)
    client.get("/youth-vote/vote/")  # gets the device id
    _wrong_codes(booth, 10)
    limited = booth.enter("ZZZZ-ZZZZ-ZZZZ-Z", "123456")
    assert limited.status_code == 429
    assert limited["Retry-After"] == "15"
    assert "Vänta 15 sekunder" in limited.content.decode()
    # The right codes wait too, from this device, but only until the wait is over.
    assert booth.enter(code, session_code).status_code == 429
    alert = StaffAlert.objects.get(kind="youth_vote.failed_codes")
    assert alert.role == "election_admin"
    assert code not in str(alert.data) and code not in alert.message
    with time_machine.travel(timezone.now() + timedelta(seconds=16)):
        assert booth.enter(code, built.session_code(built.classes[0])).status_code == 200
    # Another device in the same classroom never waited.
    from django.test import Client

    other = Client()
    other.get("/youth-vote/vote/")
    assert other.post("/youth-vote/vote/", {"code": code, "session_code": session_code}).status_code == 200


def test_a_made_up_device_cookie_gives_no_fresh_tries(built, client):
    """The device id is the booth's own, signed: a script sending a new made-up one with every
    try shares the address's tries instead of getting ten of its own each time."""
    for n in range(10):
        client.cookies[booth_module.DEVICE_COOKIE] = f"made-up-{n}"
        assert client.post("/youth-vote/vote/", {"code": "ZZZZ-ZZZZ-ZZZZ-Z", "session_code": "1"}).status_code == 400
    client.cookies[booth_module.DEVICE_COOKIE] = "made-up-again"
    assert client.post("/youth-vote/vote/", {"code": "ZZZZ-ZZZZ-ZZZZ-Z", "session_code": "1"}).status_code == 429


def test_new_device_ids_per_address_are_bounded(built, monkeypatch):
    from django.test import Client

    monkeypatch.setattr(booth_module, "DEVICE_IDS_PER_ADDRESS", 3)
    handed_out = [
        booth_module.DEVICE_COOKIE in Client().get("/youth-vote/vote/").cookies for _ in range(5)
    ]
    assert handed_out == [True, True, True, False, False]


def test_a_pupil_with_a_code_cannot_lock_out_the_class(built, election_admin):
    """One student's code with 61 wrong class codes, from many devices and addresses (before:
    the whole session was locked for ten minutes): that code waits; a classmate with the right
    codes votes; administrators are told."""
    from django.test import Client

    _voter, code, session_code = _first(built)
    _other, classmates_code, _ = _first(built, index=1)
    wrong = "000000" if session_code != "000000" else "111111"
    for n in range(61):
        guesser = Client(REMOTE_ADDR=f"10.0.{n // 8}.{n}")
        guesser.post("/youth-vote/vote/", {"code": code, "session_code": wrong})
    assert Client(REMOTE_ADDR="10.9.9.9").post(
        "/youth-vote/vote/", {"code": code, "session_code": session_code}
    ).status_code == 429
    classmate = Client(REMOTE_ADDR="10.9.9.10")
    classmate.get("/youth-vote/vote/")
    assert classmate.post(
        "/youth-vote/vote/", {"code": classmates_code, "session_code": session_code}
    ).status_code == 200
    wheres = set(
        StaffAlert.objects.filter(kind="youth_vote.failed_codes").values_list("data__where", flat=True)
    )
    # Once the code waits, its tries are refused untried: the session count stays low, and
    # what administrators hear about is the code.
    assert "code" in wheres


def test_a_school_behind_one_address_is_not_locked_out(built):
    """130 wrong codes from one address (a school's NAT), from devices that each stay under
    their own limit: a student there with the right codes still votes."""
    from django.test import Client

    for _ in range(15):
        device = Client(REMOTE_ADDR="192.0.2.7")
        device.get("/youth-vote/vote/")
        for _ in range(9):
            device.post("/youth-vote/vote/", {"code": "ZZZZ-ZZZZ-ZZZZ-Z", "session_code": "123456"})
    _voter, code, session_code = _first(built)
    student = Client(REMOTE_ADDR="192.0.2.7")
    student.get("/youth-vote/vote/")
    assert student.post("/youth-vote/vote/", {"code": code, "session_code": session_code}).status_code == 200
    assert StaffAlert.objects.filter(kind="youth_vote.failed_codes", data__where="address").exists()


def test_the_contact_person_lets_the_codes_try_again(built, contact, client):
    from django.test import Client

    _voter, code, session_code = _first(built)
    wrong = "000000" if session_code != "000000" else "111111"
    for n in range(5):
        Client(REMOTE_ADDR=f"10.1.0.{n}").post("/youth-vote/vote/", {"code": code, "session_code": wrong})
    student = Client(REMOTE_ADDR="10.1.1.1")
    student.get("/youth-vote/vote/")
    assert student.post("/youth-vote/vote/", {"code": code, "session_code": session_code}).status_code == 429
    session = built.sessions[built.classes[0].pk]
    client.force_login(contact)
    screen = client.get(f"/youth-vote/sessions/{session.pk}/")
    assert f"/youth-vote/sessions/{session.pk}/unlock/" in screen.content.decode()
    assert client.post(f"/youth-vote/sessions/{session.pk}/unlock/").status_code == 302
    assert student.post("/youth-vote/vote/", {"code": code, "session_code": session_code}).status_code == 200
    assert AuditEntry.objects.filter(action="youth_vote.session.unlock_codes").exists()


def test_a_burst_of_votes_from_one_device_is_flagged(built, booth, monkeypatch):
    monkeypatch.setattr(booth_module, "BURST_VOTES_PER_DEVICE", 3)
    booth.client.get("/youth-vote/vote/")
    school_class = built.classes[0]
    for voter in built.voters(school_class)[:4]:
        _choice, cast = booth.vote(built.codes[voter.pk], built.session_code(school_class))
        assert cast.status_code == 303
    alert = StaffAlert.objects.get(kind="youth_vote.vote_burst")
    assert alert.data["votes"] == 4
    # The counter lives in the cache, apart from the ballots, and names no voter.
    assert not any(str(v.pk) in str(alert.data) for v in Voter.objects.all())


def test_votes_in_class_list_order_from_one_device_are_flagged(
    election_admin, contact, client, monkeypatch
):
    """Requirement 16: one person going down the class list with the codes shows as votes
    from one device in the printed sheet's order; in any other order nothing is flagged."""
    from django.test import Client

    from tests.youth_vote.conftest import Booth
    from tests.youth_vote.factories import build_election

    monkeypatch.setattr(booth_module, "ORDER_STREAK", 4)
    built = build_election(admin=election_admin, contact=contact, students_per_class=9)
    school_class = built.classes[0]
    in_list_order = list(
        Voter.objects.filter(school_class=school_class).order_by(*booth_module.ROLL_ORDER)
    )

    def vote_from_one_device(voters):
        device = Booth(Client())
        for voter in voters:
            _choice, cast = device.vote(built.codes[voter.pk], built.session_code(school_class))
            assert cast.status_code == 303
            # The server keeps no "who just voted on this device": the place in the list
            # stays on the device, encrypted.
            device_cookie = device.client.cookies[booth_module.DEVICE_COOKIE].value
            assert cache.get(f"yv:order:{booth_module._h(device_cookie)}") is None
            order = cast.cookies[booth_module.ORDER_COOKIE]
            assert order["httponly"] and order["max-age"] == booth_module.ORDER_GAP_SECONDS

    # Shuffled: 2nd, 1st, 4th, 3rd (never four rising in a row).
    vote_from_one_device([in_list_order[i] for i in (1, 0, 3, 2)])
    assert not StaffAlert.objects.filter(kind="youth_vote.roll_order").exists()
    vote_from_one_device(in_list_order[4:8])
    alert = StaffAlert.objects.get(kind="youth_vote.roll_order")
    assert alert.data["votes"] == 4
    # The counter lives in the cache, apart from the ballots, and names no voter.
    assert not any(str(v.pk) in str(alert.data) for v in Voter.objects.all())


def test_booth_is_closed_before_opening(election_admin, contact, booth, client):
    from tests.youth_vote.factories import build_election

    build_election(admin=election_admin, contact=contact, open_now=False)
    response = client.get("/youth-vote/vote/")
    assert response.status_code == 403
    assert "Röstningen är inte öppen" in response.content.decode()


def test_vote_for_specific_candidate_counts_for_that_candidate(built, booth):
    voter, code, session_code = _first(built)
    target = built.candidates[voter.district_id][2]
    assert vote_for(booth, code, session_code, str(target.key)).status_code == 303
    assert built.ballot_choice(Ballot.objects.get()) == str(target.key)


def test_changing_the_choice_goes_back_without_storing(built, booth):
    voter, code, session_code = _first(built)
    entered = booth.enter(code, session_code)
    ballot_pass = booth.ballot_pass(entered)
    choice = booth.choices(entered)[0]
    back = booth.client.post(
        "/youth-vote/vote/confirm/", {"ballot_pass": ballot_pass, "choice": choice, "change": "1"}
    )
    assert back.status_code == 200
    assert f'value="{choice}" required checked' in back.content.decode()
    assert Ballot.objects.count() == 0 and Participation.objects.count() == 0
