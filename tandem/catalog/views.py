"""Pages and htmx partials of the catalogue: products (list, form, page with panels, variants, barcodes, the
explained price), price lists with their items, categories and units. Thin: a form checks the shape, one
service writes, catalog.queries reads."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tandem.catalog import panels, pickers, queries, services
from tandem.catalog.forms import (
    AttributeForm,
    BarcodeForm,
    CategoryForm,
    PriceCheckForm,
    PriceGroupForm,
    PriceListForm,
    PriceListItemForm,
    ProductFilterForm,
    ProductForm,
    TaxCategoryForm,
    UnitConversionForm,
    UnitForm,
    VariantsForm,
)
from tandem.catalog.models import (
    Category,
    PriceGroup,
    PriceList,
    PriceListItem,
    Product,
    ProductBarcode,
    TaxCategory,
    Unit,
    UnitConversion,
)
from tandem.catalog.pricing import price_for
from tandem.core import reference_lists
from tandem.core.audit import history_for
from tandem.core.errors import BusinessRuleError
from tandem.core.forms import call_service
from tandem.core.htmx import fragment, is_htmx
from tandem.core.pagination import DeferredJoinPaginator
from tandem.core.pickers import render_options
from tandem.core.reference_lists import Row

PRODUCTS_PER_PAGE = 50
HISTORY_LIMIT = 100


# --- Products -----------------------------------------------------------------------------------------

@login_required
@permission_required("catalog.view_product", raise_exception=True)
def product_list(request):
    form = ProductFilterForm(request.GET or None)
    products = queries.with_list_details(queries.filter_products(**form.filters()))
    page = DeferredJoinPaginator(products, PRODUCTS_PER_PAGE).get_page(request.GET.get("page"))
    paths = queries.category_paths() if any(p.category_id for p in page.object_list) else {}
    for product in page.object_list:
        product.category_path = paths.get(product.category_id, "")
    context = {"form": form, "page_obj": page, "products": page.object_list}
    if is_htmx(request):
        return render(request, "catalog/partials/_product_table.html", context)
    return render(request, "catalog/product_list.html", context)


def _product_form_page(request, form, product=None, status=200):
    return render(request, "catalog/product_form.html", {"form": form, "product": product}, status=status)


@login_required
@permission_required("catalog.add_product", raise_exception=True)
@require_http_methods(["GET", "POST"])
def product_create(request):
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        product = call_service(form, services.create_product, by=request.user, **form.service_values())
        if product is not None:
            messages.success(request, _("Product “%(sku)s” created.") % {"sku": product.sku})
            return redirect("catalog:product-detail", pk=product.pk)
    return _product_form_page(request, form, status=400 if request.method == "POST" else 200)


@login_required
@permission_required("catalog.change_product", raise_exception=True)
@require_http_methods(["GET", "POST"])
def product_edit(request, pk: int):
    product = get_object_or_404(Product, pk=pk)
    form = ProductForm(request.POST or None, product=product)
    if request.method == "POST" and form.is_valid():
        saved = call_service(form, services.update_product, product, by=request.user,
                             expected_version=form.cleaned_data.get("version"), **form.service_values())
        if saved is not None:
            messages.success(request, _("Product “%(sku)s” saved.") % {"sku": saved.sku})
            return redirect("catalog:product-detail", pk=saved.pk)
    return _product_form_page(request, form, product, status=400 if request.method == "POST" else 200)


def _price_panel(request, product):
    """The catalogue's own section: the product's prices on the lists valid today."""
    today = timezone.localdate()
    ids = [product.pk] + ([product.template_id] if product.template_id else [])
    items = [item for item in PriceListItem.objects.filter(product_id__in=ids, price_list__is_archived=False)
             .select_related("price_list", "price_list__price_group", "product")
             .order_by("price_list__name", "price_list_id", "min_quantity") if item.price_list.is_valid_on(today)]
    return {"items": items}


def _variants_panel(request, product):
    if product.template_id:
        return None
    variants = list(product.variants.in_archive_state("all").prefetch_related("attribute_values"))
    if not variants:
        return None
    return {"variants": variants}


panels.register("prices", _("Prices"), _price_panel, order=50, template="catalog/partials/_panel_prices.html")
panels.register("variants", _("Variants"), _variants_panel, order=5, template="catalog/partials/_panel_variants.html")


@login_required
@permission_required("catalog.view_product", raise_exception=True)
def product_detail(request, pk: int):
    product = get_object_or_404(
        Product.objects.select_related("unit", "sale_unit", "purchase_unit", "category", "tax_category", "template")
        .prefetch_related("barcodes", "attribute_values__attribute",
                          Prefetch("unit_conversions", queryset=UnitConversion.objects.select_related(
                              "from_unit", "to_unit"))), pk=pk)
    context = {
        "product": product,
        "category_path": queries.category_paths().get(product.category_id, ""),
        "panels": panels.panels_for(request, product),
        "price_form": PriceCheckForm(initial={"quantity": 1}),
        "barcode_form": BarcodeForm(),
        "variants_form": VariantsForm() if not product.template_id else None,
        "history": list(history_for(product, user=request.user)[:HISTORY_LIMIT]),
    }
    return render(request, "catalog/product_detail.html", context)


@login_required
@permission_required("catalog.view_product", raise_exception=True)
@fragment
def product_price_detail(request, pk: int):
    """htmx: the price a client of the chosen group pays for the quantity on the date, with its explanation."""
    product = get_object_or_404(Product.objects.select_related("unit"), pk=pk)
    form = PriceCheckForm(request.GET or None)
    result, problem = None, None
    if form.is_valid():
        data = form.cleaned_data
        groups = [data["price_group"]] if data.get("price_group") else []
        try:
            result = price_for(product, quantity=data["quantity"], on_date=data.get("date") or timezone.localdate(),
                               currency=data["currency"], price_groups=groups)
        except BusinessRuleError as exc:
            problem = exc.message
        if result is None and problem is None:
            problem = _("No price list prices this product for this currency, date and quantity.")
    else:
        problem = " ".join(str(e) for errors in form.errors.values() for e in errors)
    return render(request, "catalog/partials/_price_result.html",
                  {"result": result, "problem": problem, "product": product,
                   "currency": form.cleaned_data.get("currency") if form.is_bound and form.is_valid() else ""})


@login_required
@permission_required("catalog.change_product", raise_exception=True)
@require_POST
def product_archive(request, pk: int):
    product = get_object_or_404(Product, pk=pk)
    services.archive_product(product, by=request.user)
    messages.success(request, _("Product archived."))
    return redirect("catalog:product-detail", pk=pk)


@login_required
@permission_required("catalog.change_product", raise_exception=True)
@require_POST
def product_restore(request, pk: int):
    product = get_object_or_404(Product, pk=pk)
    services.restore_product(product, by=request.user)
    messages.success(request, _("Product restored."))
    return redirect("catalog:product-detail", pk=pk)


@login_required
@permission_required("catalog.change_product", raise_exception=True)
@require_POST
def product_barcode_add(request, pk: int):
    product = get_object_or_404(Product, pk=pk)
    form = BarcodeForm(request.POST)
    if form.is_valid() and call_service(form, services.add_barcode, product, by=request.user,
                                        code=form.cleaned_data["code"]) is not None:
        messages.success(request, _("Barcode added."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("catalog:product-detail", pk=pk)


@login_required
@permission_required("catalog.change_product", raise_exception=True)
@require_POST
def product_barcode_remove(request, pk: int, barcode_pk: int):
    barcode = get_object_or_404(ProductBarcode, pk=barcode_pk, product_id=pk)
    services.remove_barcode(barcode, by=request.user)
    return redirect("catalog:product-detail", pk=pk)


@login_required
@permission_required("catalog.add_product", raise_exception=True)
@require_http_methods(["GET", "POST"])
def product_variant_create(request, pk: int):
    """Generate variants of a template from attribute values; a new attribute may be added on the way."""
    template = get_object_or_404(Product, pk=pk)
    form = VariantsForm(request.POST if "attribute_values" in request.POST else None)
    attribute_form = AttributeForm(request.POST if "values" in request.POST else None)
    status = 200
    if request.method == "POST" and attribute_form.is_bound:
        if attribute_form.is_valid() and call_service(attribute_form, services.create_attribute, by=request.user,
                                                      name=attribute_form.cleaned_data["name"],
                                                      values=attribute_form.value_list()) is not None:
            return redirect("catalog:product-variant-create", pk=pk)
        status = 400
    elif request.method == "POST":
        form = VariantsForm(request.POST)
        if form.is_valid():
            created = call_service(form, services.generate_variants, template, by=request.user,
                                   attribute_values=list(form.cleaned_data["attribute_values"]))
            if created is not None:
                messages.success(request, _("%(count)s variants created.") % {"count": len(created)})
                return redirect("catalog:product-detail", pk=pk)
        status = 400
    return render(request, "catalog/product_variants.html",
                  {"product": template, "form": form, "attribute_form": attribute_form}, status=status)


@login_required
@permission_required("catalog.view_product", raise_exception=True)
@fragment
def product_picker(request):
    return render_options(request, pickers.PRODUCT_PICKER, pickers.choosable_products())


# --- Price lists ---------------------------------------------------------------------------------------

@login_required
@permission_required("catalog.view_pricelist", raise_exception=True)
def pricelist_list(request):
    archived = request.GET.get("archived", "false")
    archived = archived if archived in ("false", "true", "all") else "false"
    price_lists = (PriceList.objects.in_archive_state(archived).select_related("price_group")
                   .annotate(item_count=Count("items")).order_by("name", "id"))
    return render(request, "catalog/pricelist_list.html",
                  {"price_lists": price_lists, "archived": archived, "group_form": PriceGroupForm()})


@login_required
@permission_required("catalog.add_pricelist", raise_exception=True)
@require_POST
def pricegroup_create(request):
    form = PriceGroupForm(request.POST)
    if form.is_valid() and call_service(form, services.create_price_group, by=request.user,
                                        **form.cleaned_data) is not None:
        messages.success(request, _("Price group created."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("catalog:pricelist-list")


@login_required
@permission_required("catalog.add_pricelist", raise_exception=True)
@require_http_methods(["GET", "POST"])
def pricelist_create(request):
    form = PriceListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        price_list = call_service(form, services.create_price_list, by=request.user, **form.cleaned_data)
        if price_list is not None:
            return redirect("catalog:pricelist-detail", pk=price_list.pk)
    return render(request, "catalog/pricelist_form.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
@permission_required("catalog.change_pricelist", raise_exception=True)
@require_http_methods(["GET", "POST"])
def pricelist_edit(request, pk: int):
    price_list = get_object_or_404(PriceList, pk=pk)
    form = PriceListForm(request.POST or None, price_list=price_list)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        seen = values.pop("version", None)
        if call_service(form, services.update_price_list, price_list, by=request.user, expected_version=seen,
                        **values) is not None:
            return redirect("catalog:pricelist-detail", pk=pk)
    return render(request, "catalog/pricelist_form.html", {"form": form, "price_list": price_list},
                  status=400 if request.method == "POST" else 200)


def _pricelist_page(request, price_list, item_form, status=200):
    price_list = queries.price_list_with_items(PriceList.objects.filter(pk=price_list.pk)).get()
    return render(request, "catalog/pricelist_detail.html",
                  {"price_list": price_list, "item_form": item_form}, status=status)


@login_required
@permission_required("catalog.view_pricelist", raise_exception=True)
def pricelist_detail(request, pk: int):
    return _pricelist_page(request, get_object_or_404(PriceList, pk=pk), PriceListItemForm())


@login_required
@permission_required("catalog.change_pricelist", raise_exception=True)
@require_POST
def pricelist_item_add(request, pk: int):
    price_list = get_object_or_404(PriceList, pk=pk)
    form = PriceListItemForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        item = call_service(form, services.set_price_list_item, price_list, by=request.user, product=data["product"],
                            unit_price=data["unit_price"], min_quantity=data.get("min_quantity") or 0,
                            discount_percent=data.get("discount_percent") or 0)
        if item is not None:
            return redirect(f"{reverse('catalog:pricelist-detail', args=[pk])}#item-{item.pk}")
    return _pricelist_page(request, price_list, form, status=400)


@login_required
@permission_required("catalog.change_pricelist", raise_exception=True)
@require_POST
def pricelist_item_remove(request, pk: int, item_pk: int):
    item = get_object_or_404(PriceListItem, pk=item_pk, price_list_id=pk)
    services.remove_price_list_item(item, by=request.user)
    return redirect("catalog:pricelist-detail", pk=pk)


@login_required
@permission_required("catalog.change_pricelist", raise_exception=True)
@require_POST
def pricelist_archive(request, pk: int):
    services.archive_price_list(get_object_or_404(PriceList, pk=pk), by=request.user)
    return redirect("catalog:pricelist-detail", pk=pk)


@login_required
@permission_required("catalog.change_pricelist", raise_exception=True)
@require_POST
def pricelist_restore(request, pk: int):
    services.restore_price_list(get_object_or_404(PriceList, pk=pk), by=request.user)
    return redirect("catalog:pricelist-detail", pk=pk)


# --- Categories and units (settings) -----------------------------------------------------------------------

@login_required
@permission_required("catalog.change_category", raise_exception=True)
@require_http_methods(["GET", "POST"])
def category_settings(request):
    form = CategoryForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not request.user.has_perm("catalog.add_category"):
            raise PermissionDenied
        if form.is_valid() and call_service(form, services.create_category, by=request.user,
                                            **form.cleaned_data) is not None:
            return redirect("catalog:category-settings")
        status = 400
    paths = queries.category_paths()
    categories = sorted(Category.objects.annotate(product_count=Count("products")),
                        key=lambda c: paths.get(c.pk, c.name).casefold())
    for category in categories:
        category.path = paths.get(category.pk, category.name)
    return render(request, "catalog/category_settings.html", {"form": form, "categories": categories},
                  status=status)


@login_required
@permission_required("catalog.change_category", raise_exception=True)
@require_POST
def category_archive(request, category_pk: int):
    category = get_object_or_404(Category, pk=category_pk)
    if category.is_archived:
        services.restore_category(category, by=request.user)
    else:
        services.archive_category(category, by=request.user)
    return redirect("catalog:category-settings")


@login_required
@permission_required("catalog.change_unit", raise_exception=True)
@require_http_methods(["GET", "POST"])
def unit_settings(request):
    form = UnitForm(request.POST if "code" in request.POST else None)
    conversion_form = UnitConversionForm(request.POST if "factor" in request.POST else None)
    status = 200
    if request.method == "POST":
        if form.is_bound:
            if not request.user.has_perm("catalog.add_unit"):
                raise PermissionDenied
            if form.is_valid() and call_service(form, services.create_unit, by=request.user,
                                                **form.cleaned_data) is not None:
                return redirect("catalog:unit-settings")
        elif conversion_form.is_bound and conversion_form.is_valid() and call_service(
                conversion_form, services.create_unit_conversion, by=request.user,
                **conversion_form.cleaned_data) is not None:
            return redirect("catalog:unit-settings")
        status = 400
    return render(request, "catalog/unit_settings.html", {
        "form": form, "conversion_form": conversion_form, "units": Unit.objects.in_archive_state("all"),
        "conversions": UnitConversion.objects.filter(product__isnull=True).select_related("from_unit", "to_unit"),
    }, status=status)


@login_required
@permission_required("catalog.change_unit", raise_exception=True)
@require_POST
def unit_archive(request, unit_pk: int):
    unit = get_object_or_404(Unit, pk=unit_pk)
    if unit.is_archived:
        services.restore_unit(unit, by=request.user)
    else:
        services.archive_unit(unit, by=request.user)
    return redirect("catalog:unit-settings")


@login_required
@permission_required("catalog.change_unit", raise_exception=True)
@require_POST
def unitconversion_remove(request, conversion_pk: int):
    conversion = get_object_or_404(UnitConversion, pk=conversion_pk)
    product_id = conversion.product_id
    services.delete_unit_conversion(conversion, by=request.user)
    if product_id:
        return redirect("catalog:product-detail", pk=product_id)
    return redirect("catalog:unit-settings")


# --- Tax categories and price groups (settings: reference lists) -------------------------------------------

def _tax_category_page(request, form, *, rename_errors=None, status=200):
    show_all = request.GET.get("archived") == "all"
    rows = []
    for tax in TaxCategory.objects.in_archive_state("all" if show_all else "false").annotate(
            product_count=Count("products", distinct=True)):
        action = reference_lists.archive_action(tax, reverse("catalog:taxcategory-archive", args=[tax.pk]),
                                                reverse("catalog:taxcategory-restore", args=[tax.pk]))
        rows.append(Row(pk=tax.pk, name=tax.name, details=[f"{tax.rate.normalize():f} %", tax.product_count],
                        state="archived" if tax.is_archived else "",
                        rename_url=reverse("catalog:taxcategory-rename", args=[tax.pk]), actions=[action]))
    return reference_lists.page(
        request, title=_("Tax categories"), rows=rows, add_form=form, show_all=show_all,
        columns=(_("Rate"), _("Products")), rename_errors=rename_errors, status=status,
        intro=_("The tax class of a product. An archived category stays on its products and documents but is "
                "not offered for products."),
    )


@login_required
@permission_required("catalog.change_taxcategory", raise_exception=True)
@require_http_methods(["GET", "POST"])
def taxcategory_settings(request):
    if request.method == "POST":
        if not request.user.has_perm("catalog.add_taxcategory"):
            raise PermissionDenied
        return reference_lists.add(request, TaxCategoryForm(request.POST), services.create_tax_category,
                                   lambda form, status: _tax_category_page(request, form, status=status),
                                   reverse("catalog:taxcategory-settings"))
    return _tax_category_page(request, TaxCategoryForm())


@login_required
@permission_required("catalog.change_taxcategory", raise_exception=True)
@require_POST
def taxcategory_rename(request, taxcategory_pk: int):
    return reference_lists.rename(
        request, get_object_or_404(TaxCategory, pk=taxcategory_pk), services.update_tax_category,
        lambda **kwargs: _tax_category_page(request, TaxCategoryForm(), **kwargs),
        reverse("catalog:taxcategory-settings"))


@login_required
@permission_required("catalog.change_taxcategory", raise_exception=True)
@require_POST
def taxcategory_archive(request, taxcategory_pk: int, restore: bool = False):
    tax = get_object_or_404(TaxCategory, pk=taxcategory_pk)
    if restore:
        service, message = services.restore_tax_category, _("Tax category “%(name)s” restored.")
    else:
        service, message = services.archive_tax_category, _("Tax category “%(name)s” archived.")
    return reference_lists.run(request, service, tax, message % {"name": tax.name},
                               reverse("catalog:taxcategory-settings"))


def _price_group_page(request, form, *, rename_errors=None, status=200):
    show_all = request.GET.get("archived") == "all"
    rows = []
    for group in PriceGroup.objects.in_archive_state("all" if show_all else "false").annotate(
            list_count=Count("price_lists", distinct=True)):
        action = reference_lists.archive_action(group, reverse("catalog:pricegroup-archive", args=[group.pk]),
                                                reverse("catalog:pricegroup-restore", args=[group.pk]))
        rows.append(Row(pk=group.pk, name=group.name, details=[group.list_count],
                        state="archived" if group.is_archived else "",
                        rename_url=reverse("catalog:pricegroup-rename", args=[group.pk]), actions=[action]))
    return reference_lists.page(
        request, title=_("Price groups"), rows=rows, add_form=form, show_all=show_all,
        columns=(_("Price lists"),), rename_errors=rename_errors, status=status,
        intro=_("Client segments with their own price lists. An archived group stays on its price lists and "
                "clients but is not offered for new ones."),
    )


@login_required
@permission_required("catalog.change_pricelist", raise_exception=True)
@require_http_methods(["GET", "POST"])
def pricegroup_settings(request):
    if request.method == "POST":
        if not request.user.has_perm("catalog.add_pricelist"):
            raise PermissionDenied
        return reference_lists.add(request, PriceGroupForm(request.POST), services.create_price_group,
                                   lambda form, status: _price_group_page(request, form, status=status),
                                   reverse("catalog:pricegroup-settings"))
    return _price_group_page(request, PriceGroupForm())


@login_required
@permission_required("catalog.change_pricelist", raise_exception=True)
@require_POST
def pricegroup_rename(request, pricegroup_pk: int):
    return reference_lists.rename(
        request, get_object_or_404(PriceGroup, pk=pricegroup_pk), services.update_price_group,
        lambda **kwargs: _price_group_page(request, PriceGroupForm(), **kwargs),
        reverse("catalog:pricegroup-settings"))


@login_required
@permission_required("catalog.change_pricelist", raise_exception=True)
@require_POST
def pricegroup_archive(request, pricegroup_pk: int, restore: bool = False):
    group = get_object_or_404(PriceGroup, pk=pricegroup_pk)
    if restore:
        service, message = services.restore_price_group, _("Price group “%(name)s” restored.")
    else:
        service, message = services.archive_price_group, _("Price group “%(name)s” archived.")
    return reference_lists.run(request, service, group, message % {"name": group.name},
                               reverse("catalog:pricegroup-settings"))
