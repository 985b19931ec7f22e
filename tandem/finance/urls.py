from django.urls import path

from tandem.finance import invoice_views, report_views, views, views_documents
from tandem.finance.banking import views as banking
from tandem.finance.receivables import views as receivables_views

app_name = "finance"

# Every path stays under /finance/: FinanceConfig.url_prefixes switches them off with the module.
urlpatterns = [
    path("accounts/", views.account_list, name="account-list"),
    path("accounts/new/", views.account_create, name="account-create"),
    path("accounts/install/", views.account_install, name="account-install"),
    path("accounts/<int:pk>/edit/", views.account_edit, name="account-edit"),
    path("accounts/<int:pk>/", views.account_detail, name="account-detail"),
    path("accounts/<int:pk>/archive/", views.account_archive, name="account-archive"),
    path("entries/", views.entry_list, name="entry-list"),
    path("entries/new/", views.entry_create, name="entry-create"),
    path("entries/line-row/", views.entry_line_row, name="entry-line-row"),
    path("entries/<int:pk>/", views.entry_detail, name="entry-detail"),
    path("entries/<int:pk>/reverse/", views.entry_reverse, name="entry-reverse"),
    path("periods/", views.period_list, name="period-list"),
    path("fiscal-years/new/", views.fiscal_year_create, name="fiscal-year-create"),
    path("fiscal-years/<int:pk>/close/", views.fiscal_year_close, name="fiscal-year-close"),
    path("periods/<int:pk>/close/", views.period_close, name="period-close"),
    path("periods/<int:pk>/reopen/", views.period_reopen, name="period-reopen"),
    path("reports/trial-balance/", views.trial_balance, name="trial-balance"),
    path("reports/trial-balance/export/", views.trial_balance_export, name="trial-balance-export"),
    # Payments and bank statements (finance.banking)
    path("payments/", banking.payment_list, name="payment-list"),
    path("payments/new/", banking.payment_create, name="payment-create"),
    path("payments/<int:pk>/", banking.payment_detail, name="payment-detail"),
    path("payments/<int:pk>/allocate/", banking.payment_allocate, name="payment-allocate"),
    path("payments/<int:pk>/reverse/", banking.payment_reverse, name="payment-reverse"),
    path("payment-accounts/", banking.payment_account_list, name="payment-account-list"),
    path("payment-accounts/new/", banking.payment_account_create, name="payment-account-create"),
    path("payment-accounts/<int:pk>/edit/", banking.payment_account_edit, name="payment-account-edit"),
    path("payment-accounts/<int:pk>/archive/", banking.payment_account_archive, name="payment-account-archive"),
    path("statements/", banking.statement_list, name="statement-list"),
    path("statements/import/", banking.statement_import, name="statement-import"),
    path("statements/<int:pk>/", banking.statement_detail, name="statement-detail"),
    path("statements/lines/<int:pk>/confirm/", banking.statement_line_confirm, name="statement-line-confirm"),
    path("statements/lines/<int:pk>/ignore/", banking.statement_line_ignore, name="statement-line-ignore"),
    *report_views.urlpatterns,  # financial reports and budgets
    *receivables_views.urlpatterns,  # aging, overdue, dunning, credit limits
]

# Invoices, credit notes and tax rates (tandem/finance/invoice_views.py).
urlpatterns += invoice_views.urlpatterns
# Invoice documents (PDF, Factur-X, CII XML): tandem/finance/views_documents.py.
urlpatterns += views_documents.urlpatterns
