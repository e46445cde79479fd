"""Municipal content in several languages: one mechanism for every model (decision 89).

The source text, in the site's default language (Swedish), stays in the model's own column
(``Topic.name``, ``Organization.description`` …). A ``translations`` JSON field on the same row
holds the other languages as ``{"en": {"name": "…"}, "fi": {"name": "…"}}``. Because the
translations ride on the row that is read anyway, a list of topics or a proposal with its topic
and district (``select_related``) costs no extra query or join, and a language added to
``settings.LANGUAGES`` needs no model change or migration.

- ``localized(obj, field)`` gives ``(text, language)``: the text in the active language, or the
  source text and the default language when there is no translation (the fallback).
- The template filters in ``delta`` (``tr``, ``tr_rich``, ``tr_text``, ``tr_attrs``) show it and
  mark a fallback with ``lang="sv"`` when the page is in another language (WCAG 3.1.2).
- ``TranslationInputsMixin`` gives a staff form one input per configured language next to
  each source field; the Django admin uses it through ``TranslatedAdminMixin``.
"""

import copy

from django.conf import settings
from django.db import models
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext_lazy as _


def default_language() -> str:
    """The site's default language: the language of every source text."""
    return settings.LANGUAGE_CODE.split("-")[0]


def active_language() -> str:
    return (get_language() or settings.LANGUAGE_CODE).split("-")[0]


def configured_languages() -> list[tuple[str, str]]:
    """The site's languages as (code, name), from ``settings.LANGUAGES`` when called."""
    return [(code.split("-")[0], name) for code, name in settings.LANGUAGES]


def translation_languages() -> list[tuple[str, str]]:
    """The configured languages that are translated into (all but the default)."""
    source = default_language()
    return [(code, name) for code, name in configured_languages() if code != source]


def is_bidi(language: str) -> bool:
    try:
        return bool(get_language_info(language)["bidi"])
    except KeyError:
        return language in {code.split("-")[0] for code in settings.LANGUAGES_BIDI}


def translations_field(**kwargs) -> models.JSONField:
    """The ``translations`` model field: {language: {field: text}}, empty by default."""
    kwargs.setdefault("verbose_name", _("translations"))
    kwargs.setdefault("default", dict)
    kwargs.setdefault("blank", True)
    kwargs.setdefault(
        "help_text",
        _("The text in other languages than Swedish. Empty: the Swedish text is shown."),
    )
    return models.JSONField(**kwargs)


def translation_of(obj, field: str, language: str) -> str:
    """The stored translation of ``field`` into ``language``, or ""."""
    entry = (getattr(obj, "translations", None) or {}).get(language) or {}
    value = entry.get(field) if isinstance(entry, dict) else None
    return value.strip() if isinstance(value, str) else ""


def localized(obj, field: str, language: str | None = None) -> tuple[str, str]:
    """``(text, language)`` of ``obj.field`` in ``language`` (default: the active one).

    Falls back to the source text in the default language when there is no translation; the
    returned language then says so, and the page marks the text with it.
    """
    source = default_language()
    language = (language or active_language()).split("-")[0]
    if language != source:
        text = translation_of(obj, field, language)
        if text:
            return text, language
    return getattr(obj, field, "") or "", source


def all_translations(obj, field: str) -> dict[str, str]:
    """Every language's text of ``field``, the source included: {language: text}.

    Only languages that have a text; for the open data API.
    """
    source = default_language()
    texts = {source: getattr(obj, field, "") or ""}
    for language, entry in sorted((getattr(obj, "translations", None) or {}).items()):
        if language != source and isinstance(entry, dict) and (entry.get(field) or "").strip():
            texts[language] = entry[field].strip()
    return {language: text for language, text in texts.items() if text}


def input_name(field: str, language: str) -> str:
    return f"{field}__{language}"


class TranslationInputsMixin:
    """A form mixin: one optional input per configured language for each field named in
    ``translated_fields``, placed right after the source field and copied from it (same
    widget and length), with ``lang`` and ``dir`` so the text is typed the right way round.

    ``cleaned_data["translations"]`` is the {language: {field: text}} to store (the inputs'
    own keys are taken out, so ``**cleaned_data`` still fits a service); languages no longer
    configured keep what they had. A ModelForm stores it in ``instance.translations``.
    """

    translated_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._stored_translations = self._existing_translations()
        fields = {}
        for name, field in self.fields.items():
            fields[name] = field
            if name in self.translated_fields:
                self._mark_source(field)
                for language, language_name in translation_languages():
                    key = input_name(name, language)
                    fields[key] = self._translation_input(field, language, language_name)
                    self.initial.setdefault(
                        key, self._stored_translations.get(language, {}).get(name, "")
                    )
        self.fields = fields

    def _existing_translations(self) -> dict:
        instance = getattr(self, "instance", None)
        stored = getattr(instance, "translations", None) if instance is not None else None
        if stored is None:
            stored = self.initial.get("translations")
        return copy.deepcopy(stored) if isinstance(stored, dict) else {}

    @staticmethod
    def _mark_source(field):
        note = _("In Swedish. Empty translations show the Swedish text.")
        field.help_text = f"{field.help_text} {note}" if field.help_text else note

    @staticmethod
    def _translation_input(source, language, language_name):
        field = copy.deepcopy(source)
        field.required = False
        field.label = _("%(field)s (%(language)s)") % {
            "field": source.label,
            "language": language_name,
        }
        field.help_text = ""
        field.initial = ""
        field.widget.attrs = {
            key: value
            for key, value in field.widget.attrs.items()
            if key not in {"required", "autofocus"}
        }
        field.widget.attrs["lang"] = language
        field.widget.attrs["dir"] = "rtl" if is_bidi(language) else "ltr"
        return field

    def clean(self):
        cleaned = super().clean()
        translations = copy.deepcopy(self._stored_translations)
        configured = {code for code, _name in translation_languages()}
        for language in configured:
            entry = {
                key: value
                for key, value in (translations.get(language) or {}).items()
                if key not in self.translated_fields
            }
            for name in self.translated_fields:
                # Each input is a copy of its source field, so it was cleaned as that one is
                # (a rich-text field by the one sanitiser).
                value = (cleaned.pop(input_name(name, language), None) or "").strip()
                if value:
                    entry[name] = value
            if entry:
                translations[language] = entry
            else:
                translations.pop(language, None)
        cleaned["translations"] = translations
        if getattr(self, "instance", None) is not None:
            # A ModelForm: set on the instance here, since a service may save the instance
            # itself rather than call ``form.save()``.
            self.instance.translations = translations
        return cleaned


class TranslatedAdminMixin:
    """A ModelAdmin mixin: the form gets a translation input per configured language after
    each field in ``translated_fields`` (see ``TranslationInputsMixin``). The inputs are made
    when the form is, from ``settings.LANGUAGES``, so a new language needs no code change."""

    translated_fields: tuple[str, ...] = ()

    def get_exclude(self, request, obj=None):
        return [*(super().get_exclude(request, obj) or ()), "translations"]

    def get_form(self, request, obj=None, **kwargs):
        base = kwargs.get("form", self.form)
        form = type(
            f"Translated{base.__name__}",
            (TranslationInputsMixin, base),
            {"translated_fields": tuple(self.translated_fields)},
        )
        kwargs["form"] = form
        if "fields" not in kwargs:
            kwargs["fields"] = _flatten(self.get_fieldsets(request, obj))
        if kwargs["fields"] is not None:
            # The translation inputs are the form's own, not the model's.
            kwargs["fields"] = [name for name in kwargs["fields"] if "__" not in name]
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = copy.deepcopy(super().get_fieldsets(request, obj))
        for _name, options in fieldsets:
            fields = []
            for name in options.get("fields", ()):
                fields.append(name)
                if isinstance(name, str) and name in self.translated_fields:
                    fields.extend(
                        input_name(name, language) for language, _n in translation_languages()
                    )
            options["fields"] = fields
        return fieldsets


def _flatten(fieldsets) -> list[str]:
    names = []
    for _name, options in fieldsets:
        for name in options.get("fields", ()):
            names.extend(name if isinstance(name, (list, tuple)) else [name])
    return names
