"""``{% load proposals_hub %}{% proposals_hub %}``: the hub's "proposals near their threshold"."""

from django import template

from proposals import selectors

register = template.Library()


@register.inclusion_tag("proposals/_hub.html")
def proposals_hub(limit: int = 3):
    proposals = selectors.proposals_near_threshold(limit=limit)
    return {
        "items": [
            {
                "proposal": proposal,
                "count": selectors.count_of(proposal),
                "remaining": max(0, (proposal.threshold or 0) - selectors.count_of(proposal)),
                "days_left": selectors.days_left(proposal),
            }
            for proposal in proposals
        ]
    }
