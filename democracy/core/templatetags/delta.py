from django import template

from democracy.core.sanitize import render_rich_text

register = template.Library()


@register.filter
def rich_text(value):
    """Show stored user rich text, cleaned by the one sanitiser."""
    return render_rich_text(value)
