import factory
from django.contrib.auth.models import Group

from tandem.core import audit
from tandem.core.models import User

TEST_PASSWORD = "correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = "Tester"
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password(TEST_PASSWORD)
    # Test users read English whatever the test client sends; a real new user's language is empty (the browser's).
    language = "en"

    @classmethod
    def _create(cls, model_class, *args, role=None, **kwargs):
        # Fixtures, not someone's change: core.signals would otherwise audit each new user and role grant.
        with audit.signals_muted():
            user = super()._create(model_class, *args, **kwargs)
            if role:
                user.groups.add(Group.objects.get(name=role))
        return user
