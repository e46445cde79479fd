"""Personal data held by e-proposals: a person's proposals, signatures, comments and reports.

``forget_user`` withdraws signatures on proposals still open for signing (the count follows),
anonymises signatures on closed ones (counts stay right), keeps public proposals and comments
without the name, and deletes drafts and proposals that were never published.
"""

from django.db import transaction
from django.utils.timezone import now as timezone_now

from proposals.models import Comment, Proposal, Report, Signature
from proposals.services import ANONYMOUS_SIGNATURE, signature_count_request


def export_user_data(user) -> dict:
    proposals = Proposal.objects.filter(proposer=user).select_related("topic", "district")
    signatures = Signature.objects.filter(user=user).select_related("proposal", "district")
    return {
        "proposals": [
            {
                "id": p.pk,
                "title": p.title,
                "summary": p.summary,
                "body": p.body,
                "status": p.status,
                "topic": p.topic.name if p.topic else None,
                "district": p.district.name if p.district else None,
                "created_at": p.created_at.isoformat(),
                "submitted_at": p.submitted_at.isoformat() if p.submitted_at else None,
            }
            for p in proposals
        ],
        "signatures": [
            {
                "proposal": s.proposal_id,
                "proposal_title": s.proposal.title,
                "signed_at": s.created_at.isoformat(),
                "name_shown": s.public_name,
                "district": s.district.name if s.district else None,
                "wants_updates": s.notify,
                "ip_address": s.ip_address,
                "status": s.status,
            }
            for s in signatures
        ],
        "comments": [
            {"proposal": c.proposal_id, "text": c.body, "written_at": c.created_at.isoformat()}
            for c in Comment.objects.filter(author=user)
        ],
        "reports": [
            {
                "proposal": r.proposal_id,
                "comment": r.comment_id,
                "reason": r.reason,
                "text": r.text,
                "made_at": r.created_at.isoformat(),
            }
            for r in Report.objects.filter(reporter=user)
        ],
    }


def forget_user(user) -> None:
    now = timezone_now()
    signatures = Signature.objects.filter(user=user)
    open_ids = list(
        signatures.filter(
            proposal__status=Proposal.Status.PUBLISHED, proposal__closes_at__gt=now
        ).values_list("proposal_id", flat=True)
    )
    signatures.filter(proposal_id__in=open_ids).delete()
    signatures.update(**ANONYMOUS_SIGNATURE)
    for proposal_id in open_ids:
        transaction.on_commit(
            lambda proposal_id=proposal_id: signature_count_request(
                proposal_id=proposal_id, force=True
            )
        )
    never_public = [
        Proposal.Status.DRAFT,
        Proposal.Status.SUBMITTED,
        Proposal.Status.REVISION_REQUESTED,
    ]
    mine = Proposal.objects.filter(proposer=user)
    mine.filter(status__in=never_public, case__isnull=True).delete()
    mine.filter(status=Proposal.Status.WITHDRAWN, published_at__isnull=True).delete()
    mine.update(proposer=None, proposer_name="")
    Comment.objects.filter(author=user).update(author=None, author_name="")
