"""The invoice as a Factur-X / ZUGFeRD e-invoice, EN 16931 profile: the UN/CEFACT CrossIndustryInvoice (CII) XML
built from the invoice, embedded into a PDF/A-3 of the invoice PDF by the `factur-x` library (which checks the XML
against the profile's XSD).

Before building, `check_en16931` refuses (409 `einvoice_incomplete`, naming the field) an invoice lacking what the
standard requires: our VAT ID and country, the buyer's name and country (and VAT ID for reverse charge), the legal
reason of exempt lines, totals that add up."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.utils.translation import gettext as _
from lxml import etree

from tandem.core.errors import ConflictError
from tandem.core.money import quantize
from tandem.core.tax_ids import compact, split_prefix
from tandem.finance.documents import content, pdf
from tandem.finance.models import Invoice, TaxRate

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
NSMAP = {"rsm": RSM, "ram": RAM, "qdt": QDT, "udt": UDT}
EN16931 = "urn:cen.eu:en16931:2017"

TYPE_CODE = {Invoice.Kind.CUSTOMER_INVOICE: "380", Invoice.Kind.CUSTOMER_CREDIT_NOTE: "381"}
# UN/ECE Recommendation 20 codes for the units we ship; anything else is "one" (C62).
UNIT_CODES = {"pc": "H87", "pcs": "H87", "piece": "H87", "kg": "KGM", "g": "GRM", "t": "TNE", "l": "LTR",
              "ml": "MLT", "m": "MTR", "cm": "CMT", "mm": "MMT", "m2": "MTK", "m3": "MTQ", "h": "HUR",
              "hour": "HUR", "day": "DAY", "month": "MON", "box": "XBX", "set": "SET", "pair": "PR"}
# VAT number prefixes that differ from the ISO country code.
VAT_PREFIX = {"GR": "EL"}
POSTCODE_CITY = re.compile(r"^(?P<postcode>[A-Z]{0,2}-?\d[\d\- ]{1,9}[A-Z]{0,3})\s+(?P<city>\S.*)$")


def _incomplete(field: str, message: str) -> ConflictError:
    return ConflictError("einvoice_incomplete", message, field=field)


def vat_id(tax_id: str, country: str) -> str:
    """The VAT identifier with its country prefix (EN 16931 BR-CO-9); empty when there is none."""
    number = compact(tax_id)
    if not number:
        return ""
    prefix, _rest = split_prefix(number)
    if prefix or not country:
        return number
    return VAT_PREFIX.get(country, country) + number


def _counterparty_country(counterparty) -> str:
    if counterparty.country:
        return counterparty.country
    return split_prefix(compact(counterparty.tax_id))[0]


def check_en16931(invoice: Invoice) -> None:
    """Refuse (409 `einvoice_incomplete`, naming the field) what an EN 16931 invoice cannot leave out."""
    pdf.require_issued(invoice)
    if invoice.kind not in TYPE_CODE:
        raise _incomplete("kind", _("Only customer invoices and credit notes are sent as e-invoices."))
    entity = invoice.company
    if not entity.country:
        raise _incomplete("company.country", _("Our legal entity's country is missing (EN 16931 BT-40)."))
    if not (entity.registered_address or entity.postal_address).strip():
        raise _incomplete("company.registered_address", _("Our legal entity's address is missing (EN 16931 BG-5)."))
    if not vat_id(entity.tax_id, entity.country):
        raise _incomplete("company.tax_id", _("Our legal entity's VAT ID is missing (EN 16931 BT-31)."))
    counterparty = content.billed_counterparty(invoice)
    if counterparty is None:
        raise _incomplete("counterparty", _("The invoice names no counterparty billed (EN 16931 BG-7)."))
    if not _counterparty_country(counterparty):
        raise _incomplete("counterparty.country", _("The buyer's country is missing (EN 16931 BT-55)."))
    lines = content.invoice_lines(invoice)
    if not lines:
        raise _incomplete("lines", _("An e-invoice needs at least one line (EN 16931 BG-25)."))
    for index, line in enumerate(lines):
        if line.tax_kind == TaxRate.Kind.REVERSE_CHARGE and not vat_id(counterparty.tax_id,
                                                                       _counterparty_country(counterparty)):
            raise _incomplete("counterparty.tax_id",
                              _("A reverse-charge invoice needs the buyer's VAT ID (EN 16931 BR-AE-2)."))
        if line.tax_kind == TaxRate.Kind.EXEMPT and not content.line_legal_note(line):
            raise _incomplete(f"lines.{index}.tax_rate",
                              _("Line %(number)s is exempt but its tax rate has no legal note to print as the "
                                "exemption reason (EN 16931 BR-E-10).") % {"number": index + 1})
    net = sum((line.net_amount for line in lines), content.ZERO)
    tax = sum((line.tax_amount for line in lines), content.ZERO)
    if net != invoice.net_total or tax != invoice.tax_total or net + tax != invoice.total:
        raise _incomplete("total", _("The invoice's totals do not add up to its lines (EN 16931 BR-CO-10, "
                                     "BR-CO-14, BR-CO-15)."))


# --- Building the XML -----------------------------------------------------------------------------------------

def _el(parent, tag: str, text=None, **attrs):
    prefix, name = tag.split(":")
    node = etree.SubElement(parent, f"{{{NSMAP[prefix]}}}{name}", **attrs)
    if text is not None:
        node.text = str(text)
    return node


def _date(parent, tag: str, day: datetime.date, kind: str = "udt") -> None:
    holder = _el(parent, tag)
    _el(holder, f"{kind}:DateTimeString", day.strftime("%Y%m%d"), format="102")


def _amount(value: Decimal, currency: str) -> str:
    return f"{quantize(value, currency):f}"


def _decimal(value: Decimal, places: int = 4) -> str:
    text = f"{value.quantize(Decimal(1).scaleb(-places)):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _address(parent, text: str, country: str) -> None:
    node = _el(parent, "ram:PostalTradeAddress")
    rows = [row.strip() for row in (text or "").splitlines() if row.strip()]
    postcode = city = ""
    if rows:
        match = POSTCODE_CITY.match(rows[-1])
        if match:
            postcode, city = match["postcode"], match["city"]
            rows = rows[:-1]
    if postcode:
        _el(node, "ram:PostcodeCode", postcode)
    lines = rows[:2] + ([", ".join(rows[2:])] if len(rows) > 2 else [])
    for tag, row in zip(("ram:LineOne", "ram:LineTwo", "ram:LineThree"), lines, strict=False):
        _el(node, tag, row)
    if city:
        _el(node, "ram:CityName", city)
    _el(node, "ram:CountryID", country)


def _party(parent, tag: str, *, name: str, registration: str, address: str, country: str, vat: str) -> None:
    party = _el(parent, tag)
    _el(party, "ram:Name", name)
    if registration:
        organization = _el(party, "ram:SpecifiedLegalOrganization")
        _el(organization, "ram:ID", registration)
    _address(party, address, country)
    if vat:
        registration_node = _el(party, "ram:SpecifiedTaxRegistration")
        _el(registration_node, "ram:ID", vat, schemeID="VA")


def _tax(parent, category: str, percent: Decimal, *, basis=None, calculated=None, reason: str = "",
         currency: str = "") -> None:
    node = _el(parent, "ram:ApplicableTradeTax")
    if calculated is not None:
        _el(node, "ram:CalculatedAmount", _amount(calculated, currency))
    _el(node, "ram:TypeCode", "VAT")
    if reason:
        _el(node, "ram:ExemptionReason", reason[:300])
    if basis is not None:
        _el(node, "ram:BasisAmount", _amount(basis, currency))
    _el(node, "ram:CategoryCode", category)
    if category == "AE":
        _el(node, "ram:ExemptionReasonCode", "VATEX-EU-AE")
    _el(node, "ram:RateApplicablePercent", _decimal(percent, 2))


def _line(transaction, line, number: int, invoice: Invoice) -> None:
    currency = invoice.currency
    item = _el(transaction, "ram:IncludedSupplyChainTradeLineItem")
    document = _el(item, "ram:AssociatedDocumentLineDocument")
    _el(document, "ram:LineID", number)
    product = _el(item, "ram:SpecifiedTradeProduct")
    if line.product_id:
        _el(product, "ram:SellerAssignedID", line.product.sku)
    _el(product, "ram:Name", line.description or (line.product.name if line.product_id else "—"))
    agreement = _el(item, "ram:SpecifiedLineTradeAgreement")
    plain = not invoice.prices_include_tax
    if plain and line.discount_percent:
        gross = _el(agreement, "ram:GrossPriceProductTradePrice")
        _el(gross, "ram:ChargeAmount", _decimal(line.unit_price, 6))
    if plain and not line.discount_percent:
        net_price = line.unit_price
    else:  # what one unit costs net of discount and tax, as the line total says
        net_price = line.net_amount / line.quantity if line.quantity else line.unit_price
    net = _el(agreement, "ram:NetPriceProductTradePrice")
    _el(net, "ram:ChargeAmount", _decimal(abs(net_price), 6))
    delivery = _el(item, "ram:SpecifiedLineTradeDelivery")
    unit = UNIT_CODES.get((line.unit.code if line.unit_id else "").lower(), "C62")
    _el(delivery, "ram:BilledQuantity", _decimal(line.quantity, 4), unitCode=unit)
    settlement = _el(item, "ram:SpecifiedLineTradeSettlement")
    _tax(settlement, content.CATEGORY[line.tax_kind], content.line_percent(line))
    summation = _el(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
    _el(summation, "ram:LineTotalAmount", _amount(line.net_amount, currency))


def build_cii_xml(invoice: Invoice) -> bytes:
    """The EN 16931 CrossIndustryInvoice of an invoice or credit note (checked first: see check_en16931)."""
    check_en16931(invoice)
    entity, counterparty, currency = invoice.company, content.billed_counterparty(invoice), invoice.currency
    lines = content.invoice_lines(invoice)
    groups = content.tax_summary(lines)

    root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NSMAP)
    context = _el(root, "rsm:ExchangedDocumentContext")
    _el(_el(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", EN16931)
    document = _el(root, "rsm:ExchangedDocument")
    _el(document, "ram:ID", invoice.number)
    _el(document, "ram:TypeCode", TYPE_CODE[invoice.kind])
    _date(document, "ram:IssueDateTime", invoice.invoice_date)
    if invoice.notes:
        _el(_el(document, "ram:IncludedNote"), "ram:Content", invoice.notes)

    transaction = _el(root, "rsm:SupplyChainTradeTransaction")
    for number, line in enumerate(lines, start=1):
        _line(transaction, line, number, invoice)

    agreement = _el(transaction, "ram:ApplicableHeaderTradeAgreement")
    _party(agreement, "ram:SellerTradeParty", name=entity.name, registration=entity.registration_number,
           address=entity.registered_address or entity.postal_address, country=entity.country,
           vat=vat_id(entity.tax_id, entity.country))
    buyer_country = _counterparty_country(counterparty)
    _party(agreement, "ram:BuyerTradeParty", name=counterparty.legal_name,
           registration=counterparty.registration_number,
           address=counterparty.legal_address or counterparty.postal_address, country=buyer_country,
           vat=vat_id(counterparty.tax_id, buyer_country))
    _el(transaction, "ram:ApplicableHeaderTradeDelivery")

    settlement = _el(transaction, "ram:ApplicableHeaderTradeSettlement")
    if not invoice.is_credit:
        _el(settlement, "ram:PaymentReference", invoice.number)
    _el(settlement, "ram:InvoiceCurrencyCode", currency)
    account = content.payment_account(invoice)
    if account is not None and not invoice.is_credit:
        means = _el(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
        _el(means, "ram:TypeCode", "58")  # SEPA credit transfer (UNTDID 4461)
        _el(_el(means, "ram:PayeePartyCreditorFinancialAccount"), "ram:IBANID", compact(account.iban))
        if account.bic:
            _el(_el(means, "ram:PayeeSpecifiedCreditorFinancialInstitution"), "ram:BICID", account.bic)
    for group in groups:
        reason = "; ".join(group.notes) if group.category in ("E", "AE") else ""
        _tax(settlement, group.category, group.percent, basis=group.net, calculated=group.tax, reason=reason,
             currency=currency)
    terms = _el(settlement, "ram:SpecifiedTradePaymentTerms")  # BR-CO-25: an amount due needs its date
    if invoice.payment_terms:
        _el(terms, "ram:Description", invoice.payment_terms)
    _date(terms, "ram:DueDateDateTime", invoice.due_date)
    totals = _el(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _el(totals, "ram:LineTotalAmount", _amount(invoice.net_total, currency))
    _el(totals, "ram:TaxBasisTotalAmount", _amount(invoice.net_total, currency))
    _el(totals, "ram:TaxTotalAmount", _amount(invoice.tax_total, currency), currencyID=currency)
    _el(totals, "ram:GrandTotalAmount", _amount(invoice.total, currency))
    _el(totals, "ram:DuePayableAmount", _amount(invoice.total, currency))
    if invoice.credited_invoice_id and invoice.credited_invoice.number:
        referenced = _el(settlement, "ram:InvoiceReferencedDocument")
        _el(referenced, "ram:IssuerAssignedID", invoice.credited_invoice.number)
        _date(referenced, "ram:FormattedIssueDateTime", invoice.credited_invoice.invoice_date, kind="qdt")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def render_facturx_pdf(invoice: Invoice, *, request=None) -> bytes:
    """The invoice PDF as PDF/A-3 with its CII XML embedded (factur-x.xml), the XML checked against the XSD."""
    from facturx import generate_from_binary  # loads pypdf and the schemas: only when asked

    xml = build_cii_xml(invoice)
    base = pdf.render_invoice_pdf(invoice, request=request, variant="pdf/a-3b")
    metadata = {"author": invoice.company.name, "keywords": "Factur-X, EN 16931",
                "title": f"{content.title(invoice)} {invoice.number}",
                "subject": f"{content.title(invoice)} {invoice.number} — {invoice.company.name}"}
    return generate_from_binary(base, xml, flavor="factur-x", level="en16931", check_xsd=True,
                                pdf_metadata=metadata, lang=(getattr(request, "LANGUAGE_CODE", "") or "en"))
