"""``{% youth_vote_hub %}``: a short section about the current or next election for the hub."""

from django import template

from youth_vote import permissions, selectors

register = template.Library()


@register.inclusion_tag("youth_vote/hub.html")
def youth_vote_hub():
    election = selectors.election_current()
    return {
        "election": election,
        "results_visible": bool(election and permissions.results_visible(election)),
    }
