"""``{% load proposals_hub %}{% proposals_hub %}``: the hub's "proposals near their threshold"."""

from django import template

from proposals import selectors

register = template.Library()


@register.inclusion_tag("proposals/_hub.html")
def proposals_hub(limit: int = 3):
    items = []
    for proposal in selectors.proposals_near_threshold(limit=limit):
        count = selectors.count_of(proposal)
        items.append(
            {
                "proposal": proposal,
                "count": count,
                "remaining": max(0, (proposal.threshold or 0) - count),
                "days_left": selectors.days_left(proposal),
            }
        )
    return {"items": items}
