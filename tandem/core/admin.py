"""Admin site for core tables. Audit entries and login failures are evidence: read-only here.
The admin login goes through the same lockout as the main login page."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from tandem.core import deletion
from tandem.core.account_forms import AdminLoginForm
from tandem.core.errors import BusinessRuleError
from tandem.core.models import ApiToken, AuditEntry, Company, LoginFailure, ModuleSetting, RolePolicy, User
from tandem.core.services import (
    COMPANY_FIELDS,
    deactivate_user,
    delete_user,
    reactivate_user,
    revoke_api_token,
    update_company,
)
from tandem.core.two_factor import set_role_requires_two_factor

admin.site.login_form = AdminLoginForm
admin.site.site_header = _("Tandem administration")
admin.site.site_title = _("Tandem administration")


class ReferencedDeleteAdminMixin:
    """The admin's delete page refuses rows that the deletion registry says are referred to, naming the
    references (as for database-protected rows), for one row and for the bulk delete action."""

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        protected = list(protected)
        for obj in objs:
            found = deletion.references(obj)
            if found:
                protected.append(deletion.ReferencedError(obj, found).message)
        return deleted, counts, perms_needed, protected


@admin.register(User)
class UserAdmin(ReferencedDeleteAdminMixin, DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Preferences"), {"fields": ("language",)}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Preferences"), {"fields": ("language",)}),
    )
    list_display = ("username", "email", "first_name", "last_name", "language", "is_active", "is_staff")
    list_filter = ("is_active", "is_staff", "is_superuser", "groups", "language")
    actions = ["deactivate", "reactivate"]

    def _each(self, request, queryset, service):
        for user in queryset.order_by("pk"):
            try:
                service(user, by=request.user)
            except BusinessRuleError as exc:
                self.message_user(request, f"{user}: {exc.message}", messages.ERROR)

    @admin.action(description=_("Deactivate selected users (they keep what they did and own)"))
    def deactivate(self, request, queryset):
        self._each(request, queryset, deactivate_user)

    @admin.action(description=_("Reactivate selected users"))
    def reactivate(self, request, queryset):
        self._each(request, queryset, reactivate_user)

    def delete_model(self, request, obj):
        delete_user(obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for user in queryset.order_by("pk"):
            delete_user(user, by=request.user)


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    """Saved through core.services.update_company, so the change is validated and audited."""

    list_display = ("name", "base_currency", "language", "time_zone", "updated_at")
    fields = COMPANY_FIELDS

    def has_add_permission(self, request):
        return not Company.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            update_company(by=request.user, **{field: getattr(obj, field) for field in COMPANY_FIELDS})
        else:
            super().save_model(request, obj, form, change)


@admin.register(RolePolicy)
class RolePolicyAdmin(admin.ModelAdmin):
    """The two-factor requirement is switched through the service (audited), as on the Roles page."""

    list_display = ("group", "requires_two_factor", "description")
    list_select_related = ("group",)

    def get_readonly_fields(self, request, obj=None):
        return ("group",) if obj else ()

    def save_model(self, request, obj, form, change):
        set_role_requires_two_factor(obj.group, obj.requires_two_factor, by=request.user)
        RolePolicy.objects.filter(group=obj.group).update(description=obj.description)
        obj.pk = RolePolicy.objects.get(group=obj.group).pk


class ReadOnlyAdminMixin:
    """Records written only through services (rules, audit): the back-office may look, not touch."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Tokens are created by their owner (the secret is shown there once); here they can be revoked."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    list_select_related = ("user",)
    search_fields = ("name", "prefix", "user__username")
    fields = ("user", "name", "prefix", "key_hash", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    actions = ["revoke"]

    @admin.action(description=_("Revoke selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True).order_by("pk"):
            revoke_api_token(token, by=request.user)


@admin.register(ModuleSetting)
class ModuleSettingAdmin(ReadOnlyAdmin):
    """Switch modules on the Modules page: it checks which modules need each other and audits."""

    list_display = ("key", "enabled")


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "actor", "action", "object_repr")
    list_filter = ("action",)
    list_select_related = ("actor",)
    search_fields = ("action", "object_repr", "actor__username")
    date_hierarchy = "created_at"


@admin.register(LoginFailure)
class LoginFailureAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "username", "ip_address")
    search_fields = ("username", "ip_address")
