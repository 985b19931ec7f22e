"""Invoice documents: the PDF (what the reader sees, in their language), the Factur-X e-invoice (EN 16931 XML valid
against the profile's XSD, carried by the PDF; refusals naming the missing field), and who may download them."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from facturx import get_facturx_xml_from_pdf, xml_check_xsd
from lxml import etree
from pypdf import PdfReader

from tandem.core import roles
from tandem.finance.documents import facturx, pdf
from tandem.finance.documents.facturx import NSMAP
from tandem.finance.models import Invoice, TaxRate
from tandem.finance.tests.factories_documents import make_invoice, our_entity, tax_rate
from tandem.parties.models import Counterparty
from tandem.parties.tests.factories import ClientFactory

D = Decimal
pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def xpath(xml: bytes, path: str) -> list[str]:
    tree = etree.fromstring(xml)
    return [node.text if hasattr(node, "text") else str(node) for node in tree.xpath(path, namespaces=NSMAP)]


# --- The PDF -------------------------------------------------------------------------------------------------

def test_invoice_pdf_shows_parties_lines_tax_summary_payment_in_english():
    invoice = make_invoice()
    with translation.override("en"):
        text = pdf_text(pdf.render_invoice_pdf(invoice))
    assert "Invoice INV-2026-0001" in text
    assert "Tandem Demo GmbH" in text and "DE123456789" in text          # our entity
    assert "Kunde AG" in text and "DE987654321" in text and "München" in text  # the counterparty billed
    assert "Consulting" in text and "Handbook" in text
    # 10 × 120.00 = 1,200.00 at 19 % → 228.00; 3 × 25.50 = 76.50 at 7 % → 5.36 (5.355 rounded half up)
    assert "€1,200.00" in text and "€228.00" in text and "€76.50" in text and "€5.36" in text
    assert "€1,509.86" in text                                            # total
    assert "Tax summary" in text and "19%" in text and "7%" in text
    assert "DE89370400440532013000" in text and "COBADEFFXXX" in text      # where to pay
    assert "Please pay by 01/04/2026, quoting INV-2026-0001." in text      # due date, day first (en_DE)
    assert "02/03/2026" in text


def test_invoice_pdf_follows_the_readers_language():
    invoice = make_invoice()
    with translation.override("pl"):
        text = pdf_text(pdf.render_invoice_pdf(invoice))
    assert "1509,86" in text.replace("\u00a0", "").replace(" ", "")       # Polish decimal comma


def test_counterparty_valid_on_the_invoice_date_is_billed_when_the_invoice_names_none():
    client = ClientFactory(name="Renamed Group")
    Counterparty.objects.create(client=client, legal_name="Old Name GmbH", tax_id="DE111111111", country="DE",
                                legal_address="Alte Straße 1\n10115 Berlin", valid_from=datetime.date(2020, 1, 1),
                                valid_to=datetime.date(2025, 12, 31))
    Counterparty.objects.create(client=client, legal_name="New Name GmbH", tax_id="DE222222222", country="DE",
                                legal_address="Neue Straße 2\n10115 Berlin", valid_from=datetime.date(2026, 1, 1))
    old = make_invoice(client=client, counterparty=False, number="INV-2025-0009",
                       invoice_date=datetime.date(2025, 6, 1), due_date=datetime.date(2025, 7, 1))
    new = make_invoice(client=client, counterparty=False, number="INV-2026-0009")
    assert "Old Name GmbH" in pdf_text(pdf.render_invoice_pdf(old))
    text = pdf_text(pdf.render_invoice_pdf(new))
    assert "New Name GmbH" in text and "Old Name GmbH" not in text


def test_exempt_and_reverse_charge_lines_print_their_legal_note():
    exempt = tax_rate(TaxRate.Kind.EXEMPT, "0", note="Exempt under § 4 Nr. 21 UStG")
    reverse = tax_rate(TaxRate.Kind.REVERSE_CHARGE, "0", note="Steuerschuldnerschaft des Leistungsempfängers")
    invoice = make_invoice(lines=[("Training", "1", "500.00", "0", TaxRate.Kind.EXEMPT, exempt),
                                  ("Licence", "1", "300.00", "0", TaxRate.Kind.REVERSE_CHARGE, reverse)])
    with translation.override("en"):
        text = pdf_text(pdf.render_invoice_pdf(invoice))
    assert "Exempt under § 4 Nr. 21 UStG" in text
    assert "Steuerschuldnerschaft des Leistungsempfängers" in text
    assert "Reverse charge" in text and "Exempt" in text


def test_credit_note_says_so_and_names_the_credited_invoice():
    original = make_invoice()
    credit = make_invoice(kind=Invoice.Kind.CUSTOMER_CREDIT_NOTE, number="CN-2026-0001", client=original.client,
                          counterparty=original.counterparty, credited_invoice=original,
                          lines=[("Consulting", "2", "120.00", "19")])
    with translation.override("en"):
        text = pdf_text(pdf.render_invoice_pdf(credit))
    assert "Credit note CN-2026-0001" in text
    assert "This credit note corrects invoice INV-2026-0001." in text
    assert "Please pay" not in text


def test_a_draft_has_no_document():
    invoice = make_invoice(status=Invoice.Status.DRAFT, number="")
    with pytest.raises(Exception) as refused:
        pdf.render_invoice_pdf(invoice)
    assert refused.value.code == "not_issued" and refused.value.status_code == 409


# --- Factur-X / EN 16931 -------------------------------------------------------------------------------------

def test_cii_xml_is_valid_en16931_and_says_what_the_invoice_says():
    invoice = make_invoice()
    xml = facturx.build_cii_xml(invoice)
    assert xml_check_xsd(xml, flavor="factur-x", level="en16931")
    assert xpath(xml, "//rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID") == [
        "urn:cen.eu:en16931:2017"]
    assert xpath(xml, "//rsm:ExchangedDocument/ram:TypeCode") == ["380"]
    assert xpath(xml, "//ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID") == ["DE123456789"]
    assert xpath(xml, "//ram:BuyerTradeParty/ram:SpecifiedTaxRegistration/ram:ID") == ["DE987654321"]
    assert xpath(xml, "//ram:BuyerTradeParty//ram:CityName") == ["München"]
    assert xpath(xml, "//ram:BuyerTradeParty//ram:PostcodeCode") == ["80331"]
    assert xpath(xml, "//ram:PayeePartyCreditorFinancialAccount/ram:IBANID") == ["DE89370400440532013000"]
    assert xpath(xml, "//ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString") == ["20260401"]
    header = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax"
    assert xpath(xml, f"{header}/ram:CategoryCode") == ["S", "S"]
    assert xpath(xml, f"{header}/ram:RateApplicablePercent") == ["19", "7"]
    assert xpath(xml, f"{header}/ram:BasisAmount") == ["1200.00", "76.50"]
    assert xpath(xml, f"{header}/ram:CalculatedAmount") == ["228.00", "5.36"]
    totals = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation"
    assert xpath(xml, f"{totals}/ram:LineTotalAmount") == ["1276.50"]
    assert xpath(xml, f"{totals}/ram:TaxTotalAmount") == ["233.36"]
    assert xpath(xml, f"{totals}/ram:GrandTotalAmount") == ["1509.86"]
    assert_business_rules(xml)


def assert_business_rules(xml: bytes) -> None:
    """The EN 16931 arithmetic rules (the schematron needs a Saxon server: not available offline)."""
    tree = etree.fromstring(xml)

    def amounts(path):
        return [D(node.text) for node in tree.xpath(path, namespaces=NSMAP)]

    lines = amounts("//ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount")
    totals = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation"
    (line_total,) = amounts(f"{totals}/ram:LineTotalAmount")
    (basis,) = amounts(f"{totals}/ram:TaxBasisTotalAmount")
    (tax,) = amounts(f"{totals}/ram:TaxTotalAmount")
    (grand,) = amounts(f"{totals}/ram:GrandTotalAmount")
    (due,) = amounts(f"{totals}/ram:DuePayableAmount")
    assert sum(lines) == line_total == basis                               # BR-CO-10, BR-CO-13
    assert sum(amounts("//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:CalculatedAmount")) == tax
    assert grand == basis + tax and due == grand                          # BR-CO-14, BR-CO-15, BR-CO-16
    for group in tree.xpath("//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax", namespaces=NSMAP):
        category = group.findtext("ram:CategoryCode", namespaces=NSMAP)
        rate = D(group.findtext("ram:RateApplicablePercent", namespaces=NSMAP))
        group_basis = D(group.findtext("ram:BasisAmount", namespaces=NSMAP))
        calculated = D(group.findtext("ram:CalculatedAmount", namespaces=NSMAP))
        assert abs(calculated - (group_basis * rate / 100).quantize(D("0.01"))) <= D("0.01")  # BR-S-9
        if category in ("E", "AE", "Z"):
            assert rate == 0 and calculated == 0                         # BR-E-5/6, BR-AE-5/6, BR-Z-5/6
        if category in ("E", "AE"):                                        # BR-E-10, BR-AE-10
            assert group.findtext("ram:ExemptionReason", namespaces=NSMAP) or group.findtext(
                "ram:ExemptionReasonCode", namespaces=NSMAP)


def test_exempt_reverse_charge_zero_and_discount_lines_give_valid_xml():
    exempt = tax_rate(TaxRate.Kind.EXEMPT, "0", note="Exempt under § 4 Nr. 21 UStG")
    reverse = tax_rate(TaxRate.Kind.REVERSE_CHARGE, "0", note="")
    invoice = make_invoice(lines=[("Training", "1", "500.00", "0", TaxRate.Kind.EXEMPT, exempt),
                                  ("Licence", "1", "300.00", "0", TaxRate.Kind.REVERSE_CHARGE, reverse),
                                  ("Export", "2", "10.00", "0", TaxRate.Kind.ZERO, None),
                                  ("Widget", "3", "9.99", "19", TaxRate.Kind.STANDARD, None, "10")])
    xml = facturx.build_cii_xml(invoice)
    assert xml_check_xsd(xml, flavor="factur-x", level="en16931")
    header = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax"
    assert xpath(xml, f"{header}/ram:CategoryCode") == ["E", "AE", "Z", "S"]
    assert xpath(xml, f"{header}/ram:ExemptionReason") == [
        "Exempt under § 4 Nr. 21 UStG", "Reverse charge: the customer accounts for the VAT."]
    assert xpath(xml, f"{header}/ram:ExemptionReasonCode") == ["VATEX-EU-AE"]
    # 3 × 9.99 less 10 % = 26.97: the gross price and the net price per unit
    assert xpath(xml, "//ram:GrossPriceProductTradePrice/ram:ChargeAmount") == ["9.99"]
    assert xpath(xml, "(//ram:IncludedSupplyChainTradeLineItem)[4]//ram:LineTotalAmount") == ["26.97"]
    assert_business_rules(xml)


def test_credit_note_is_type_381_and_references_the_invoice():
    original = make_invoice()
    credit = make_invoice(kind=Invoice.Kind.CUSTOMER_CREDIT_NOTE, number="CN-2026-0001", client=original.client,
                          counterparty=original.counterparty, credited_invoice=original,
                          lines=[("Consulting", "2", "120.00", "19")])
    xml = facturx.build_cii_xml(credit)
    assert xml_check_xsd(xml, flavor="factur-x", level="en16931")
    assert xpath(xml, "//rsm:ExchangedDocument/ram:TypeCode") == ["381"]
    assert xpath(xml, "//ram:InvoiceReferencedDocument/ram:IssuerAssignedID") == ["INV-2026-0001"]
    assert_business_rules(xml)


def test_facturx_pdf_carries_the_xml():
    invoice = make_invoice()
    content = facturx.render_facturx_pdf(invoice)
    assert content[:4] == b"%PDF"
    filename, xml = get_facturx_xml_from_pdf(content, check_xsd=True)
    assert filename == "factur-x.xml"
    assert xml == facturx.build_cii_xml(invoice)
    assert "Invoice INV-2026-0001" in pdf_text(content)
    reader = PdfReader(io.BytesIO(content))
    assert b"pdfaid:part" in reader.trailer["/Root"]["/Metadata"].get_object().get_data().replace(b"'", b'"') \
        or b"pdfaid" in reader.trailer["/Root"]["/Metadata"].get_object().get_data()


@pytest.mark.parametrize(("change", "field"), [
    ({"entity": {"tax_id": ""}}, "company.tax_id"),
    ({"entity": {"country": ""}}, "company.country"),
    ({"entity": {"registered_address": "", "postal_address": ""}}, "company.registered_address"),
    ({"counterparty": {"country": "", "tax_id": ""}}, "counterparty.country"),
])
def test_an_invoice_lacking_what_en16931_requires_is_refused_naming_the_field(change, field):
    invoice = make_invoice()
    our_entity(**change.get("entity", {}))
    for key, value in change.get("counterparty", {}).items():
        setattr(invoice.counterparty, key, value)
    invoice.counterparty.save()
    invoice = Invoice.objects.select_related("company", "counterparty").get(pk=invoice.pk)
    with pytest.raises(Exception) as refused:
        facturx.build_cii_xml(invoice)
    assert (refused.value.status_code, refused.value.code, refused.value.field) == (409, "einvoice_incomplete", field)


def test_reverse_charge_needs_the_buyers_vat_id_and_exempt_lines_a_legal_note():
    reverse = tax_rate(TaxRate.Kind.REVERSE_CHARGE, "0", code="RC")
    invoice = make_invoice(lines=[("Licence", "1", "300.00", "0", TaxRate.Kind.REVERSE_CHARGE, reverse)])
    invoice.counterparty.tax_id = ""
    invoice.counterparty.save()
    with pytest.raises(Exception) as refused:
        facturx.build_cii_xml(Invoice.objects.get(pk=invoice.pk))
    assert refused.value.field == "counterparty.tax_id"
    exempt = tax_rate(TaxRate.Kind.EXEMPT, "0", code="EX")
    invoice = make_invoice(number="INV-2026-0002", lines=[
        ("Consulting", "1", "100.00", "19"), ("Training", "1", "500.00", "0", TaxRate.Kind.EXEMPT, exempt)])
    with pytest.raises(Exception) as refused:
        facturx.build_cii_xml(invoice)
    assert refused.value.field == "lines.1.tax_rate" and "Line 2" in refused.value.message


# --- Downloads: pages and API --------------------------------------------------------------------------------

@pytest.fixture
def accountant(make_user):
    return make_user(roles.ACCOUNTANT, username="accountant-docs")


def test_readers_download_the_documents_as_pages(client, accountant):
    invoice = make_invoice()
    client.force_login(accountant)
    response = client.get(reverse("finance:invoice-pdf", args=[invoice.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert 'filename="INV-2026-0001.pdf"' in response["Content-Disposition"]
    response = client.get(reverse("finance:invoice-facturx", args=[invoice.pk]))
    assert response.status_code == 200 and get_facturx_xml_from_pdf(response.content)[0] == "factur-x.xml"
    response = client.get(reverse("finance:invoice-cii", args=[invoice.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/xml"
    assert b"CrossIndustryInvoice" in response.content


def test_an_incomplete_invoice_page_download_answers_409_in_words(client, accountant):
    invoice = make_invoice()
    our_entity(tax_id="")
    client.force_login(accountant)
    response = client.get(reverse("finance:invoice-facturx", args=[invoice.pk]))
    assert response.status_code == 409
    assert "VAT ID" in response.content.decode() and "company.tax_id" in response.content.decode()
    # The plain PDF needs no VAT ID.
    assert client.get(reverse("finance:invoice-pdf", args=[invoice.pk])).status_code == 200


def test_api_downloads_and_refusals(api, accountant):
    invoice = make_invoice()
    http = api(accountant)
    response = http.get(f"/api/v1/finance/invoices/{invoice.pk}/pdf")
    assert response.status_code == 200 and response.content[:4] == b"%PDF"
    response = http.get(f"/api/v1/finance/invoices/{invoice.pk}/facturx")
    assert response.status_code == 200 and get_facturx_xml_from_pdf(response.content)[0] == "factur-x.xml"
    assert http.get(f"/api/v1/finance/invoices/{invoice.pk}/cii").status_code == 200
    our_entity(tax_id="")
    response = http.get(f"/api/v1/finance/invoices/{invoice.pk}/facturx")
    assert response.status_code == 409
    assert response.json()["code"] == "einvoice_incomplete" and response.json()["field"] == "company.tax_id"
    draft = make_invoice(status=Invoice.Status.DRAFT, number="", client=invoice.client,
                         counterparty=invoice.counterparty)
    response = http.get(f"/api/v1/finance/invoices/{draft.pk}/pdf")
    assert response.status_code == 409 and response.json()["code"] == "not_issued"
    assert http.get("/api/v1/finance/invoices/999999/pdf").status_code == 404


def test_who_may_download(client, api, make_user, sales_rep, viewer, sales_manager):
    invoice = make_invoice()
    warehouse = make_user(roles.WAREHOUSE, username="store-docs")
    for user, expected in ((viewer, 200), (sales_manager, 200), (sales_rep, 403), (warehouse, 403)):
        assert api(user).get(f"/api/v1/finance/invoices/{invoice.pk}/pdf").status_code == expected, user
        client.force_login(user)
        assert client.get(reverse("finance:invoice-pdf", args=[invoice.pk])).status_code == expected, user
    client.logout()
    response = client.get(reverse("finance:invoice-pdf", args=[invoice.pk]))
    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_the_links_partial_offers_the_documents_of_an_issued_invoice(rf, accountant):
    from django.template.loader import render_to_string

    invoice = make_invoice()
    request = rf.get("/")
    request.user = accountant
    html = render_to_string("finance/partials/_invoice_documents.html", {"invoice": invoice}, request=request)
    assert reverse("finance:invoice-pdf", args=[invoice.pk]) in html
    assert reverse("finance:invoice-facturx", args=[invoice.pk]) in html
    draft = make_invoice(status=Invoice.Status.DRAFT, number="", client=invoice.client,
                         counterparty=invoice.counterparty)
    assert "href" not in render_to_string("finance/partials/_invoice_documents.html", {"invoice": draft},
                                          request=request)
