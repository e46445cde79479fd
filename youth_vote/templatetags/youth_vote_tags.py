from django import template
from django.templatetags.static import static
from django.utils.html import format_html

from youth_vote.integrity import sri

register = template.Library()


@register.simple_tag
def sri_stylesheet(path):
    return format_html(
        '<link rel="stylesheet" href="{}" integrity="{}" crossorigin="anonymous">',
        static(path),
        sri(path),
    )


@register.simple_tag
def sri_script(path):
    return format_html(
        '<script src="{}" integrity="{}" crossorigin="anonymous" defer></script>',
        static(path),
        sri(path),
    )
