"""Fixtures shared by every app's tests: users per role, API clients, common records."""

import os

import pytest
from hypothesis import HealthCheck, settings

os.environ.setdefault("TANDEM_TESTING", "1")

# Property tests run on busy CI machines: no per-example deadline, no "generation too slow" failures.
settings.register_profile("tandem", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("tandem")


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` (parallel connections racing for row locks) belong to PostgreSQL runs: on
    another database they are deselected at collection, never collected and skipped."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    kept, deselected = [], []
    for item in items:
        postgres_only = item.get_closest_marker("postgres") or item.get_closest_marker("postgresql")
        (deselected if postgres_only else kept).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


@pytest.fixture
def make_user(db):
    from tandem.core.tests.factories import UserFactory

    def make(role: str | None = None, **kwargs):
        return UserFactory(role=role, **kwargs)

    return make


@pytest.fixture
def admin_user(make_user):
    from tandem.core import roles

    return make_user(roles.ADMINISTRATOR, username="admin1")


@pytest.fixture
def sales_manager(make_user):
    from tandem.core import roles

    return make_user(roles.SALES_MANAGER, username="manager1")


@pytest.fixture
def sales_rep(make_user):
    from tandem.core import roles

    return make_user(roles.SALES_REPRESENTATIVE, username="rep1")


@pytest.fixture
def viewer(make_user):
    from tandem.core import roles

    return make_user(roles.VIEWER, username="viewer1")


@pytest.fixture
def api(db):
    """api(user) -> a test client that sends that user's personal token on every request."""
    from django.test import Client as HttpClient

    from tandem.core.services import create_api_token

    def make(user):
        _token, secret = create_api_token(user, "tests", by=user)
        return HttpClient(headers={"Authorization": f"Bearer {secret}"}, enforce_csrf_checks=True)

    return make


# Record-rule stories: a representative's own client and another representative's one.


@pytest.fixture
def other_rep(make_user):
    """A second sales representative: owner of clients the first one must not see."""
    from tandem.core import roles

    return make_user(roles.SALES_REPRESENTATIVE, username="rep2")


@pytest.fixture
def own_client(sales_rep):
    from tandem.parties.tests.factories import ClientFactory

    return ClientFactory(name="Rep Own GmbH", owner=sales_rep, email="own@rep-own.example")


@pytest.fixture
def foreign_client(other_rep):
    from tandem.parties.tests.factories import ClientFactory

    return ClientFactory(name="Foreign Widgets AG", owner=other_rep, email="info@foreign.example")



@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (core.caching): rolled-back rows must not live on in it."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
