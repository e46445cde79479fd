"""E-proposals as a result group in the site search (``democracy.diary.search``)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from democracy.diary.search import SearchHit, shorten
from proposals import selectors


class ProposalSource:
    key = "proposals"
    label = _("E-proposals")

    def search(self, query: str, limit: int) -> list[SearchHit]:
        return [
            SearchHit(
                title=proposal.title,
                url=proposal.get_absolute_url(),
                kind=str(self.label),
                meta=str(proposal.get_status_display()),
                text=shorten(proposal.summary),
                day=timezone.localdate(proposal.published_at) if proposal.published_at else None,
            )
            for proposal in selectors.proposal_search(query=query, limit=limit)
        ]
