"""Django format modules (settings.FORMAT_MODULE_PATH), one package per language in settings.LANGUAGES: their
values follow our default legal entity's country (core.formats.django_formats)."""
