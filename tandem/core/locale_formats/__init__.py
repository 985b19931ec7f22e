"""Django format modules (settings.FORMAT_MODULE_PATH), one package per language in settings.LANGUAGES (named
by its locale, pt_BR for pt-br; a new language needs one, tandem/core/tests/test_formats.py checks): their
values follow our default legal entity's country (core.formats.django_format_getattr)."""
