from tandem.core.formats import django_format_getattr

__getattr__ = django_format_getattr("pl")
