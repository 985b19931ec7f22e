from django.contrib.auth import views as auth_views
from django.urls import path

from tandem.core import settings_views, views

app_name = "core"

# Account pages live under /account/ (two-factor pages under /account/two-factor/, which
# TwoFactorRequiredMiddleware leaves open before the second step); settings under /settings/.
urlpatterns = [
    path("", views.home, name="home"),
    path("account/login/", views.LoginView.as_view(), name="login"),
    path("account/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("account/profile/", views.profile, name="profile"),
    path("account/two-factor/", views.two_factor_setup, name="two-factor-setup"),
    path("account/two-factor/verify/", views.two_factor_verify, name="two-factor-verify"),
    path("account/two-factor/disable/", views.two_factor_disable, name="two-factor-disable"),
    path("account/tokens/", views.token_list, name="token-list"),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("settings/company/", views.company_settings, name="company-settings"),
    path("settings/roles/", views.role_list, name="role-list"),
    path("settings/roles/<int:pk>/two-factor/", views.role_two_factor, name="role-two-factor"),
    path("settings/users/", views.user_list, name="user-list"),
    path("settings/users/new/", views.user_create, name="user-create"),
    path("settings/users/<int:pk>/", views.user_edit, name="user-edit"),
    path("settings/users/<int:pk>/password/", views.user_reset_password, name="user-reset-password"),
    path("settings/users/<int:pk>/deactivate/", views.user_set_active, {"active": False}, name="user-deactivate"),
    path("settings/users/<int:pk>/reactivate/", views.user_set_active, {"active": True}, name="user-reactivate"),
    path("settings/modules/", views.module_list, name="module-list"),
    path("settings/legal-entities/", settings_views.legal_entity_list, name="legal-entity-list"),
    path("settings/legal-entities/new/", settings_views.legal_entity_create, name="legal-entity-create"),
    path("settings/legal-entities/<int:pk>/", settings_views.legal_entity_detail, name="legal-entity-detail"),
    path("settings/legal-entities/<int:pk>/default/", settings_views.legal_entity_set_default,
         name="legal-entity-set-default"),
    path("settings/legal-entities/<int:pk>/logo/", settings_views.legal_entity_logo, name="legal-entity-logo"),
    path("settings/legal-entities/<int:pk>/bank-accounts/", settings_views.bank_account_add,
         name="legal-entity-bank-account-add"),
    path("settings/legal-entities/<int:pk>/bank-accounts/<int:account_pk>/remove/",
         settings_views.bank_account_remove, name="legal-entity-bank-account-remove"),
    path("settings/exchange-rates/", settings_views.exchange_rate_list, name="exchange-rate-list"),
    path("settings/exchange-rates/import/", settings_views.exchange_rate_import, name="exchange-rate-import"),
    path("settings/modules/<str:key>/", views.module_switch, name="module-switch"),
]
