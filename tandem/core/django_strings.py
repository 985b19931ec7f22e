"""Strings that Django itself shows but its bundled Russian catalogue does not translate yet (new in 6.x).

Only marked here so that makemessages keeps them in tandem/locale/ru (makemessages never scans a locale
directory, so this file cannot live there). LOCALE_PATHS is searched before Django's own catalogues, so
these translations fill the gaps. Nothing imports this module."""

from django.utils.translation import gettext_noop

DJANGO_STRINGS = [
    gettext_noop("- Select an option -"),  # empty choice of a ModelChoiceField / ChoiceField (Django 6.1)
]
