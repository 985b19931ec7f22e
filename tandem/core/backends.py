"""The authentication backend: Django's ModelBackend with each user's permissions kept in the cache
(core.caching), so a page or API call does not read roles and permissions from the database each time."""

from django.contrib.auth.backends import ModelBackend

from tandem.core import caching


class CachedPermissionsBackend(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            name = "superuser-permissions" if user_obj.is_superuser else "permissions"
            user_obj._perm_cache = caching.remember_for_user(
                user_obj, name, lambda: ModelBackend.get_all_permissions(self, user_obj)
            )
        return user_obj._perm_cache
