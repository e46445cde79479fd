"""Signatures: one per person, withdrawable while open, counted by a coalesced recount, read
cheaply from count.json and live over a websocket; rate limits, burst alerts, invalidation."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import http_date
from django.utils.timezone import now as timezone_now

from democracy.core.models import AuditEntry, StaffAlert
from proposals import services, tasks
from proposals.models import CountingLease, Proposal, ProposalCount, Signature

pytestmark = pytest.mark.django_db


def sign(client, proposal, remote_addr="127.0.0.1", **data):
    data.setdefault("visibility", "anonymous")
    return client.post(
        reverse("proposals:proposal-sign", args=[proposal.pk]), data, REMOTE_ADDR=remote_addr
    )


def test_sign_by_name_with_district_and_updates(
    client, resident, district, make_proposal, django_capture_on_commit_callbacks
):
    proposal = make_proposal(Proposal.Status.PUBLISHED, threshold=10)
    client.force_login(resident)
    with django_capture_on_commit_callbacks(execute=True):
        response = sign(
            client,
            proposal,
            visibility="name",
            public_name="Rut R.",
            district=district.pk,
            notify="on",
        )
    assert response.status_code == 302
    signature = Signature.objects.get()
    assert (signature.user, signature.public_name, signature.district, signature.notify) == (
        resident,
        "Rut R.",
        district,
        True,
    )
    assert signature.email_domain == "example.org"
    assert signature.ip_address == "127.0.0.1" and signature.network == "127.0.0.0/24"
    assert ProposalCount.objects.get(proposal=proposal).by_district == {str(district.pk): 1}
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "Rut R." in page
    assert "Du skrev under den" in page
    assert "Centrum" in page  # counts by district


def test_second_signature_is_refused_kindly(
    client, resident, make_proposal, django_capture_on_commit_callbacks
):
    proposal = make_proposal(Proposal.Status.PUBLISHED, threshold=10)
    client.force_login(resident)
    with django_capture_on_commit_callbacks(execute=True):
        sign(client, proposal)
        response = client.post(
            reverse("proposals:proposal-sign", args=[proposal.pk]),
            {"visibility": "anonymous"},
            follow=True,
        )
    assert "Du har redan skrivit under förslaget." in response.content.decode()
    assert Signature.objects.count() == 1
    assert ProposalCount.objects.get(proposal=proposal).total == 1


def test_anonymous_signature_shows_no_name(
    client, resident, make_proposal, django_capture_on_commit_callbacks
):
    proposal = make_proposal(Proposal.Status.PUBLISHED, threshold=10)
    client.force_login(resident)
    with django_capture_on_commit_callbacks(execute=True):
        sign(client, proposal)
    client.logout()
    page = client.get(reverse("proposals:proposal-signers", args=[proposal.pk])).content.decode()
    assert "1 person har skrivit under anonymt." in page
    assert resident.name not in page


def test_withdraw_signature_while_open(
    client, resident, make_proposal, django_capture_on_commit_callbacks
):
    proposal = make_proposal(Proposal.Status.PUBLISHED, threshold=10)
    client.force_login(resident)
    with django_capture_on_commit_callbacks(execute=True):
        sign(client, proposal)
        client.post(reverse("proposals:proposal-unsign", args=[proposal.pk]))
    assert Signature.objects.count() == 0
    assert ProposalCount.objects.get(proposal=proposal).total == 0


def test_anonymous_visitor_is_sent_to_sign_in(client, make_proposal):
    proposal = make_proposal(Proposal.Status.PUBLISHED)
    response = sign(client, proposal)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "Logga in för att skriva under" in page


def test_recount_after_commit_is_coalesced(
    make_proposal, make_user, settings, django_capture_on_commit_callbacks, monkeypatch
):
    """A burst of signatures queues one recount per interval, not one each; the counting
    loop's next pass counts the rest."""
    settings.PROPOSALS_COUNT_INTERVAL = 1
    proposal = make_proposal(Proposal.Status.PUBLISHED, threshold=100)
    queued = []
    monkeypatch.setattr(services, "async_task", lambda *args, **kwargs: queued.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(25):
            services.proposal_sign(proposal=proposal, user=make_user())
    assert queued == [("proposals.tasks.refresh_signature_count", proposal.pk)]
    tasks.refresh_signature_count(proposal.pk)
    assert ProposalCount.objects.get(proposal=proposal).total == 25
    # A withdrawal is not a new row the loop could see: it always queues its own recount.
    user = make_user()
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_sign(proposal=proposal, user=user)
        services.signature_withdraw(proposal=proposal, user=user)
    assert len(queued) == 2


def test_counting_loop_counts_new_signatures_once_per_interval(
    make_proposal, make_user, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.PROPOSALS_COUNT_INTERVAL = 1
    busy = make_proposal(Proposal.Status.PUBLISHED, threshold=100)
    quiet = make_proposal(Proposal.Status.PUBLISHED, threshold=100)
    monkeypatch.setattr(
        services, "async_task", lambda *args, **kwargs: None
    )  # no after-commit recount
    for _ in range(3):
        services.proposal_sign(proposal=busy, user=make_user())
    broadcasts = []
    monkeypatch.setattr(
        services,
        "group_send_many",
        lambda messages: broadcasts.extend((group, event["count"]) for group, event in messages),
    )
    with django_capture_on_commit_callbacks(execute=True):
        passes = services.signature_count_loop(seconds=1.9)
    assert passes == 2  # one pass per second
    assert ProposalCount.objects.get(proposal=busy).total == 3
    assert ProposalCount.objects.get(proposal=quiet).total == 0
    # Two passes saw the busy proposal; only the change was broadcast.
    assert broadcasts == [(f"proposal-{busy.pk}", 3)]
    lease = CountingLease.objects.get()
    assert lease.expires_at <= timezone_now()  # released for the next loop


def test_no_recount_task_while_the_counting_loop_runs(
    make_proposal, make_user, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.PROPOSALS_COUNT_INTERVAL = 1
    proposal = make_proposal(Proposal.Status.PUBLISHED, threshold=100)
    queued = []
    monkeypatch.setattr(services, "async_task", lambda *args, **kwargs: queued.append(args))
    cache.set("proposals:count-loop-alive", 1, 3)  # what each pass of the loop does
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_sign(proposal=proposal, user=make_user())
    assert queued == []
    cache.delete("proposals:count-loop-alive")
    cache.delete(f"proposals:count-recent:{proposal.pk}")
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_sign(proposal=proposal, user=make_user())
    assert queued == [("proposals.tasks.refresh_signature_count", proposal.pk)]


def test_counting_loop_waits_for_the_running_one(settings):
    settings.PROPOSALS_COUNT_INTERVAL = 1
    CountingLease.objects.create(
        name="signature-count-loop",
        holder="someone-else",
        expires_at=timezone_now() + timedelta(seconds=15),
    )
    assert services.signature_count_loop(seconds=1.2) == 0
    CountingLease.objects.update(expires_at=timezone_now() - timedelta(seconds=1))  # it ended
    assert services.signature_count_loop(seconds=1.2) >= 1


def test_reconciliation_recounts_open_proposals(make_proposal, make_user, monkeypatch):
    proposal = make_proposal(Proposal.Status.PUBLISHED, threshold=100)
    monkeypatch.setattr(services, "async_task", lambda *args, **kwargs: None)  # a lost task
    services.proposal_sign(proposal=proposal, user=make_user())
    assert tasks.refresh_open_counts() == 1
    assert ProposalCount.objects.get(proposal=proposal).total == 1


class TestCountJson:
    def test_payload_and_cache_headers(
        self, client, make_proposal, make_user, django_capture_on_commit_callbacks
    ):
        proposal = make_proposal(Proposal.Status.PUBLISHED, threshold=10)
        with django_capture_on_commit_callbacks(execute=True):
            services.proposal_sign(proposal=proposal, user=make_user())
        response = client.get(reverse("proposals:proposal-count", args=[proposal.pk]))
        assert response.status_code == 200
        data = response.json()
        assert (data["id"], data["count"], data["threshold"], data["status"]) == (
            proposal.pk,
            1,
            10,
            "published",
        )
        assert (
            response["Cache-Control"]
            == "public, max-age=1, stale-while-revalidate=2, stale-if-error=5"
        )
        assert response["Last-Modified"]

    def test_not_modified_when_unchanged(self, client, make_proposal):
        proposal = make_proposal(Proposal.Status.PUBLISHED)
        url = reverse("proposals:proposal-count", args=[proposal.pk])
        first = client.get(url)
        # A date after the count's time: unchanged (the date alone cannot tell a change later
        # in the same second from none, so a date in the count's own second gets the count).
        again = client.get(url, HTTP_IF_MODIFIED_SINCE=http_date(time.time() + 5))
        assert again.status_code == 304
        older = client.get(url, HTTP_IF_MODIFIED_SINCE=http_date(0))
        assert older.status_code == 200
        assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    def test_a_change_within_the_same_second_is_not_answered_not_modified(
        self, client, make_proposal, make_user, django_capture_on_commit_callbacks
    ):
        proposal = make_proposal(Proposal.Status.PUBLISHED)
        url = reverse("proposals:proposal-count", args=[proposal.pk])
        services.signature_count_refresh(proposal_id=proposal.pk)
        # The stored count's time in the middle of a second, as a recount can leave it.
        ProposalCount.objects.filter(proposal=proposal).update(
            updated_at=datetime(2026, 12, 2, 10, 0, 0, 100_000, tzinfo=UTC)
        )
        services.count_cache_forget(proposal_id=proposal.pk)
        first = client.get(url)
        services.proposal_sign(proposal=proposal, user=make_user(), recount=False)
        services.signature_count_refresh(proposal_id=proposal.pk)
        ProposalCount.objects.filter(proposal=proposal).update(
            updated_at=datetime(2026, 12, 2, 10, 0, 0, 900_000, tzinfo=UTC)
        )
        services.count_cache_forget(proposal_id=proposal.pk)
        by_date = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        by_tag = client.get(
            url, HTTP_IF_NONE_MATCH=first["ETag"], HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]
        )
        assert (by_date.status_code, by_tag.status_code) == (200, 200)
        assert by_tag.json()["count"] == 1

    def test_warm_read_makes_no_database_query(
        self, client, resident, make_proposal, django_assert_num_queries
    ):
        proposal = make_proposal(Proposal.Status.PUBLISHED)
        url = reverse("proposals:proposal-count", args=[proposal.pk])
        client.get(url)  # warms the cache
        with django_assert_num_queries(0):
            assert client.get(url).status_code == 200
        client.force_login(resident)  # a signed-in reader too
        with django_assert_num_queries(0):
            assert client.get(url).status_code == 200

    def test_hidden_and_draft_proposals_have_no_count(self, client, make_proposal):
        for status in (Proposal.Status.DRAFT, Proposal.Status.SUBMITTED, Proposal.Status.HIDDEN):
            proposal = make_proposal(status)
            cache.clear()
            assert (
                client.get(reverse("proposals:proposal-count", args=[proposal.pk])).status_code
                == 404
            )


@pytest.mark.django_db(transaction=True)
def test_websocket_forwards_count_updates(make_proposal, make_user):
    proposal = make_proposal(Proposal.Status.PUBLISHED, threshold=10)
    signer = make_user()

    async def scenario():
        from channels.db import database_sync_to_async

        from democracy.asgi import application

        communicator = WebsocketCommunicator(
            application,
            f"/ws/proposals/{proposal.pk}/",
            headers=[(b"origin", b"http://localhost"), (b"host", b"localhost")],
        )
        connected, _ = await communicator.connect()
        assert connected
        await database_sync_to_async(services.proposal_sign)(proposal=proposal, user=signer)
        event = await communicator.receive_json_from(timeout=3)
        assert event == {
            "id": proposal.pk,
            "count": 1,
            "threshold": 10,
            "status": "published",
            "updated_at": event["updated_at"],
        }
        await communicator.disconnect()

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_websocket_refuses_proposals_that_are_not_public(make_proposal):
    draft = make_proposal(Proposal.Status.DRAFT)

    async def connect(pk):
        from democracy.asgi import application

        communicator = WebsocketCommunicator(
            application,
            f"/ws/proposals/{pk}/",
            headers=[(b"origin", b"http://localhost"), (b"host", b"localhost")],
        )
        connected, _ = await communicator.connect()
        await communicator.disconnect()
        return connected

    assert async_to_sync(connect)(draft.pk) is False
    assert async_to_sync(connect)(999999) is False


def test_rate_limit_per_account(client, resident, make_proposal, settings):
    settings.PROPOSALS_SIGN_RATE_USER = "2/m"
    proposals = [make_proposal(Proposal.Status.PUBLISHED, threshold=10) for _ in range(3)]
    client.force_login(resident)
    assert sign(client, proposals[0]).status_code == 302
    assert sign(client, proposals[1]).status_code == 302
    response = sign(client, proposals[2])
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert Signature.objects.count() == 2


def test_rate_limit_per_ip(client, make_user, make_proposal, settings):
    settings.PROPOSALS_SIGN_RATE_IP = "3/m"
    proposal = make_proposal(Proposal.Status.PUBLISHED, threshold=10)
    codes = []
    for _ in range(4):
        client.force_login(make_user())
        codes.append(sign(client, proposal).status_code)
    assert codes == [302, 302, 302, 429]


def test_burst_from_one_network_alerts_moderators_once(
    client, make_user, make_proposal, settings, django_capture_on_commit_callbacks
):
    settings.PROPOSALS_BURST_THRESHOLD = 5
    proposal = make_proposal(Proposal.Status.PUBLISHED, threshold=100)
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(8):
            client.force_login(make_user(email=f"s{i}@example.net"))
            response = sign(client, proposal, remote_addr=f"192.0.2.{i + 1}")
            assert response.status_code == 302
    assert Signature.objects.filter(proposal=proposal).count() == 8
    alerts = StaffAlert.objects.filter(kind="proposal_signature_burst").order_by("pk")
    # One for the network and one for the e-mail domain, each raised once.
    assert [a.data for a in alerts] == [
        {"proposal": proposal.pk, "network": "192.0.2.0/24", "count": 5},
        {"proposal": proposal.pk, "domain": "example.net", "count": 5},
    ]
    assert all(a.role == "moderator" for a in alerts)


def test_burst_counts_attempts_the_limit_refused(client, make_user, make_proposal, settings):
    """A flood from one address is reported even when the per-address limit stops it."""
    settings.PROPOSALS_BURST_THRESHOLD = 4
    settings.PROPOSALS_SIGN_RATE_IP = "2/m"
    proposal = make_proposal(Proposal.Status.PUBLISHED, threshold=100)
    codes = []
    for i in range(4):
        client.force_login(make_user(email=f"f{i}@example{i}.org"))
        codes.append(sign(client, proposal, remote_addr="198.51.100.7").status_code)
    assert codes == [302, 302, 429, 429]
    assert Signature.objects.filter(proposal=proposal).count() == 2
    alert = StaffAlert.objects.get(kind="proposal_signature_burst")
    assert alert.data == {"proposal": proposal.pk, "network": "198.51.100.0/24", "count": 4}


def test_bulk_invalidation_with_reason_corrects_the_count(
    client, moderator, make_user, make_proposal, django_capture_on_commit_callbacks
):
    proposal = make_proposal(Proposal.Status.PUBLISHED, threshold=100)
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(4):
            services.proposal_sign(
                proposal=proposal, user=make_user(), ip_address=f"198.51.100.{i}"
            )
        services.proposal_sign(proposal=proposal, user=make_user(), ip_address="203.0.113.9")
    client.force_login(moderator)
    page = client.get(reverse("proposals:moderation-detail", args=[proposal.pk]))
    assert {"network": "198.51.100.0/24", "n": 4} in page.context["sources"]["networks"]
    response = client.post(
        reverse("proposals:moderation-invalidate", args=[proposal.pk]),
        {"network": "198.51.100.0/24", "reason": ""},
    )
    assert response.status_code == 400  # a reason is required
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("proposals:moderation-invalidate", args=[proposal.pk]),
            {"network": "198.51.100.0/24", "reason": "Automatiserade underskrifter."},
        )
    assert ProposalCount.objects.get(proposal=proposal).total == 1
    assert Signature.objects.filter(status=Signature.Status.INVALIDATED).count() == 4
    entry = AuditEntry.objects.get(action="proposal.signatures.invalidate")
    assert entry.reason == "Automatiserade underskrifter." and entry.data["matched"] == 4
    public = client.get(proposal.get_absolute_url()).content.decode()
    assert "4 underskrifter borttagna" in public


def test_invalidation_needs_a_criterion(client, moderator, make_proposal):
    proposal = make_proposal(Proposal.Status.PUBLISHED)
    client.force_login(moderator)
    response = client.post(
        reverse("proposals:moderation-invalidate", args=[proposal.pk]), {"reason": "Allt"}
    )
    assert response.status_code == 400
    assert "minst ett villkor" in response.content.decode()


def test_the_public_signer_list_does_not_show_where_a_signer_lives(
    client, resident, district, make_proposal, django_capture_on_commit_callbacks
):
    """The district is asked "used only for the count by part of the municipality": the
    list of names must not put it next to the name."""
    proposal = make_proposal(Proposal.Status.PUBLISHED, threshold=10)
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_sign(proposal=proposal, user=resident, district=district, show_name=True)
    page = client.get(reverse("proposals:proposal-signers", args=[proposal.pk])).content.decode()
    assert "Rut Resident" in page
    assert "Centrum" not in page
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "Rut Resident, Centrum" not in page
    assert "Centrum" in page  # the count by district is still there


def test_a_counting_pass_recounts_many_proposals_in_a_fixed_number_of_queries(
    make_proposal, make_user, monkeypatch, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(services, "async_task", lambda *args, **kwargs: None)
    broadcasts = []
    monkeypatch.setattr(
        services,
        "group_send_many",
        lambda messages: broadcasts.extend((group, event["count"]) for group, event in messages),
    )
    since = timezone_now() - timedelta(seconds=5)

    def signed_pass(proposals, signatures_each):
        for proposal in proposals:
            for _ in range(signatures_each):
                services.proposal_sign(proposal=proposal, user=make_user())
        broadcasts.clear()
        with CaptureQueriesContext(connection) as queries:
            with django_capture_on_commit_callbacks(execute=True):
                services.signature_counts_refresh_recent(since=since)
        return len(queries)

    few = [make_proposal(Proposal.Status.PUBLISHED, threshold=100) for _ in range(2)]
    queries_for_two = signed_pass(few, 1)
    many = [make_proposal(Proposal.Status.PUBLISHED, threshold=100) for _ in range(6)]
    queries_for_six = signed_pass(many, 2)
    assert queries_for_six == queries_for_two
    # Every changed count is stored, cached for count.json and broadcast.
    for proposal in many:
        assert ProposalCount.objects.get(proposal=proposal).total == 2
        assert cache.get(services.COUNT_PAYLOAD_KEY.format(proposal.pk))["count"] == 2
    # The two proposals of the first pass are recounted again (within the look-back) but have
    # not changed, so only the six are sent.
    assert sorted(broadcasts) == sorted((f"proposal-{p.pk}", 2) for p in many)


def test_the_signer_is_thanked_on_the_page_without_a_message_cookie(
    client, resident, make_user, make_proposal
):
    proposal = make_proposal(Proposal.Status.PUBLISHED, threshold=10)
    client.force_login(resident)
    response = sign(client, proposal)
    assert response["Location"] == proposal.get_absolute_url() + "?signed=1#sign"
    assert "messages" not in response.cookies  # the busiest write sets no message cookie
    page = client.get(response["Location"]).content.decode()
    assert "Tack för din underskrift" in page
    # The thanks belong to signers only: the same address shows nothing to someone else.
    client.force_login(make_user())
    other = client.get(proposal.get_absolute_url() + "?signed=1").content.decode()
    assert "Tack för din underskrift" not in other


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_the_signature_insert_is_prepared_and_reused_and_still_logged(
    make_proposal, make_user, district
):
    proposal = make_proposal(Proposal.Status.PUBLISHED, threshold=100)
    # Each kind of signature: with and without a district and an address, named or not.
    kinds = [
        {},
        {
            "district": district,
            "ip_address": "192.0.2.7",
            "show_name": True,
            "public_name": "Signe Signer",
        },
        {"ip_address": "2001:db8::1"},
    ]

    def prepared_signature_statements():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_prepared_statements "
                "WHERE statement LIKE 'INSERT INTO \"proposals_signature\"%%'"
            )
            return cursor.fetchone()[0]

    first = [make_user() for _ in kinds]
    with CaptureQueriesContext(connection) as queries:
        for user, kind in zip(first, kinds, strict=True):
            services.proposal_sign(proposal=proposal, user=user, recount=False, **kind)
    # Django's query log and counting still see the statement.
    assert [q["sql"][:33] for q in queries] == ['INSERT INTO "proposals_signature"'] * 3
    prepared = prepared_signature_statements()
    assert prepared >= 1  # (psycopg prepares once per statement and parameter types)
    # The same kinds of signature again reuse what is prepared.
    again = [make_user() for _ in kinds]
    for user, kind in zip(again, kinds, strict=True):
        services.proposal_sign(proposal=proposal, user=user, recount=False, **kind)
    assert prepared_signature_statements() == prepared
    rows = Signature.objects.filter(proposal=proposal).order_by("pk")
    expected = [
        (None, None, ""),
        (district.pk, "192.0.2.7", "192.0.2.0/24"),
        (None, "2001:db8::1", "2001:db8::/48"),
    ]
    assert [(s.user_id, s.district_id, s.ip_address, s.network) for s in rows] == [
        (user.pk, *values) for user, values in zip(first + again, expected * 2, strict=True)
    ]
    assert [s.public_name for s in rows] == ["", "Signe Signer", ""] * 2
