"""What every request reads, kept in Django's cache: the company row, the default legal entity's base
currency and country, the module switches, and each user's permissions and two-factor state.

The services and signals that change the source rows forget the cached values (at once and again when the
transaction commits), so a change takes effect on the next request. Per-user values share one "access
generation": any change to roles, group permissions, user groups, role policies or TOTP devices starts a
new generation instead of hunting for the users it touches.

With several server processes the cache must be shared between them (see settings.CACHES: a file cache
under var/ by default in production); a per-process local-memory cache is for one process (debug, tests).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import transaction

COMPANY_KEY = "tandem:company"
DEFAULT_LEGAL_ENTITY_KEY = "tandem:default-legal-entity"
MODULES_OFF_KEY = "tandem:modules-off"
ACCESS_GENERATION_KEY = "tandem:access-generation"
# A safety net only: invalidation is explicit.
TIMEOUT_SECONDS = 3600

_MISSING = object()


def remember(key: str, compute: Callable[[], Any]) -> Any:
    """The cached value of `key`, computed (and stored) on a miss."""
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(key, value, TIMEOUT_SECONDS)
    return value


def _forget_now_and_on_commit(*keys: str) -> None:
    # Now, so this request sees the change; after commit, so a request that re-read the old rows while
    # the transaction was open does not keep them cached.
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def forget_company() -> None:
    _forget_now_and_on_commit(COMPANY_KEY)


def forget_default_legal_entity() -> None:
    _forget_now_and_on_commit(DEFAULT_LEGAL_ENTITY_KEY)


def forget_module_switches() -> None:
    _forget_now_and_on_commit(MODULES_OFF_KEY)


def _access_generation() -> int:
    generation = cache.get(ACCESS_GENERATION_KEY)
    if generation is None:
        generation = 1
        # add(), not set(): two processes starting together agree on the first generation.
        if not cache.add(ACCESS_GENERATION_KEY, generation, None):
            generation = cache.get(ACCESS_GENERATION_KEY) or 1
    return generation


def _new_access_generation() -> None:
    try:
        cache.incr(ACCESS_GENERATION_KEY)
    except ValueError:  # not set yet, or evicted: any other value starts afresh
        cache.set(ACCESS_GENERATION_KEY, _access_generation() + 1, None)


def forget_access() -> None:
    """Every user's cached permissions and two-factor state are read afresh on their next request."""
    _new_access_generation()
    transaction.on_commit(_new_access_generation)


def remember_for_user(user, name: str, compute: Callable[[], Any]) -> Any:
    """A per-user value of the current access generation (e.g. the user's permissions)."""
    return remember(f"tandem:access:{_access_generation()}:{name}:{user.pk}", compute)
