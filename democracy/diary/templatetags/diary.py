from django import template

register = template.Library()

OUTCOME_BADGES = {
    "approved": "badge--success",
    "approved_after_vote": "badge--success",
    "amended": "badge--success",
    "answered": "badge--success",
    "rejected": "badge--error",
    "referred_back": "badge--warning",
    "tabled": "badge--warning",
    "withdrawn": "badge--warning",
}

STATUS_BADGES = {
    "confirmed": "badge--success",
    "held": "",
    "moved": "badge--warning",
    "cancelled": "badge--error",
}


@register.filter
def outcome_badge(outcome: str) -> str:
    return OUTCOME_BADGES.get(outcome or "", "")


@register.filter
def status_badge(status: str) -> str:
    return STATUS_BADGES.get(status or "", "")


@register.filter
def vote_total(party_votes, field: str) -> int:
    return sum(getattr(vote, field) for vote in party_votes)
