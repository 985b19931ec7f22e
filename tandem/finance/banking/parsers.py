"""Reading bank statement files into plain rows (no database): CSV with a column mapping, MT940 (the `mt-940`
library) and CAMT.053 (ISO 20022 XML, versions .001.02 to .001.08, read with the standard library).

Each parser returns a ParsedStatement; a file it cannot read raises BusinessRuleError("invalid_file", …,
field="file") naming the line or element at fault."""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from xml.etree import ElementTree

from django.utils.translation import gettext as _

from tandem.core.errors import BusinessRuleError

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_LINES = 20000
DATE_FORMATS = {
    "%Y-%m-%d": "2026-03-31", "%d.%m.%Y": "31.03.2026", "%d/%m/%Y": "31/03/2026", "%m/%d/%Y": "03/31/2026",
    "%d-%m-%Y": "31-03-2026", "%Y%m%d": "20260331", "%d.%m.%y": "31.03.26",
}
CSV_COLUMNS = ("date", "amount", "reference", "name", "iban", "transaction_id", "currency")


@dataclass
class ParsedLine:
    date: datetime.date
    amount: Decimal  # signed: money in positive
    currency: str = ""
    name: str = ""
    iban: str = ""
    reference: str = ""
    transaction_id: str = ""


@dataclass
class ParsedStatement:
    format: str
    lines: list[ParsedLine] = field(default_factory=list)
    reference: str = ""
    account: str = ""  # the IBAN (or account number) the file names
    currency: str = ""
    opening_balance: Decimal | None = None
    closing_balance: Decimal | None = None


def _invalid(message: str) -> BusinessRuleError:
    return BusinessRuleError("invalid_file", message, field="file")


def decode(content: bytes | str) -> str:
    if isinstance(content, str):
        return content
    if len(content) > MAX_FILE_BYTES:
        raise BusinessRuleError("file_too_large", _("The file may be at most 5 MB."), field="file")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _invalid(_("The file is not text."))


def detect_format(content: bytes | str) -> str:
    text = decode(content).lstrip()
    if text.startswith("<") and "camt.053" in text[:2000]:
        return "camt053"
    if re.search(r"^:20:", text[:500], re.MULTILINE) or text.startswith("{1:"):
        return "mt940"
    return "csv"


# --- CSV ------------------------------------------------------------------------------------------------

def parse_decimal_text(text: str, *, decimal_comma: bool) -> Decimal:
    value = (text or "").strip().replace("\u00a0", "").replace(" ", "").replace("'", "")
    if decimal_comma:
        value = value.replace(".", "").replace(",", ".")
    else:
        value = value.replace(",", "")
    if value.endswith("-"):  # some banks print 12.50-
        value = "-" + value[:-1]
    return Decimal(value)


def parse_csv(content: bytes | str, *, mapping: dict, decimal_comma: bool = False, date_format: str = "%Y-%m-%d",
              delimiter: str = "", has_header: bool = True, currency: str = "") -> ParsedStatement:
    """`mapping`: {"date": column, "amount": column, "reference"|"name"|"iban"|"transaction_id"|"currency":
    column}, each column a header name or a 1-based number. Dates in `date_format` (one of DATE_FORMATS)."""
    text = decode(content)
    if date_format not in DATE_FORMATS:
        raise BusinessRuleError("invalid_date_format", _("Choose a date format."), field="date_format")
    for required in ("date", "amount"):
        if not str(mapping.get(required) or "").strip():
            raise BusinessRuleError("required", _("Choose the column of the %(column)s.")
                                    % {"column": {"date": _("date"), "amount": _("amount")}[required]},
                                    field=f"{required}_column")
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise _invalid(_("The file is empty."))
    if not delimiter:
        first = lines[0]
        delimiter = max((";", ",", "\t", "|"), key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [cell.strip() for cell in next(reader)] if has_header else []
    folded = [h.lower() for h in header]

    def index_of(key: str) -> int | None:
        column = str(mapping.get(key) or "").strip()
        if not column:
            return None
        if column.isdigit():
            return int(column) - 1
        if column.lower() in folded:
            return folded.index(column.lower())
        raise BusinessRuleError("unknown_column", _("The file has no column “%(column)s”.") % {"column": column},
                                field=f"{key}_column")

    columns = {key: index_of(key) for key in CSV_COLUMNS}
    statement = ParsedStatement(format="csv", currency=currency)
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        number = reader.line_num

        def cell(key: str, cells=cells) -> str:
            index = columns[key]
            return cells[index].strip() if index is not None and index < len(cells) else ""

        try:
            day = datetime.datetime.strptime(cell("date"), date_format).date()
        except ValueError:
            raise _invalid(_("Line %(line)s: “%(value)s” is not a date like %(example)s.")
                           % {"line": number, "value": cell("date"), "example": DATE_FORMATS[date_format]}) from None
        try:
            amount = parse_decimal_text(cell("amount"), decimal_comma=decimal_comma)
        except InvalidOperation:
            raise _invalid(_("Line %(line)s: “%(value)s” is not an amount.")
                           % {"line": number, "value": cell("amount")}) from None
        if amount == 0:
            continue
        statement.lines.append(ParsedLine(date=day, amount=amount, currency=(cell("currency") or currency).upper(),
                                          name=cell("name"), iban=cell("iban"), reference=cell("reference"),
                                          transaction_id=cell("transaction_id")))
        if len(statement.lines) > MAX_LINES:
            raise BusinessRuleError("file_too_large", _("At most %(count)s lines per file.") % {"count": MAX_LINES},
                                    field="file")
    return statement


def csv_header(content: bytes | str) -> list[str]:
    """The first line's cells, for the column mapping form."""
    text = decode(content)
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = max((";", ",", "\t", "|"), key=first.count)
    return [cell.strip() for cell in next(csv.reader(io.StringIO(first), delimiter=delimiter), [])]


# --- MT940 ----------------------------------------------------------------------------------------------

def parse_mt940(content: bytes | str) -> ParsedStatement:
    import mt940

    text = decode(content)
    try:
        transactions = mt940.models.Transactions(options=mt940.Options(applicant_iban=True))
        transactions.parse(text)
    except Exception as exc:  # noqa: BLE001 - the library raises many kinds; the file is what is wrong
        raise _invalid(_("The MT940 file cannot be read: %(reason)s") % {"reason": str(exc)[:200]}) from None
    data = transactions.data
    opening, closing = data.get("final_opening_balance"), data.get("final_closing_balance")
    statement = ParsedStatement(
        format="mt940", reference=data.get("transaction_reference") or "",
        account=(data.get("account_identification") or "").replace(" ", ""),
        currency=str(getattr(getattr(opening, "amount", None), "currency", "") or ""),
        opening_balance=opening.amount.amount if opening is not None else None,
        closing_balance=closing.amount.amount if closing is not None else None)
    for transaction in transactions:
        row = transaction.data
        amount = row["amount"]
        reference = " ".join(part for part in (row.get("purpose"), row.get("customer_reference")
                                               if row.get("customer_reference") not in (None, "NONREF") else None,
                                               row.get("extra_details")) if part)
        statement.lines.append(ParsedLine(
            date=datetime.date(row["date"].year, row["date"].month, row["date"].day), amount=amount.amount,
            currency=amount.currency or statement.currency, name=row.get("applicant_name") or "",
            iban=row.get("applicant_iban") or "", reference=reference.strip()[:500],
            transaction_id=row.get("bank_reference") or ""))
    if not statement.lines and opening is None:
        raise _invalid(_("The file holds no MT940 statement."))
    return statement


# --- CAMT.053 -------------------------------------------------------------------------------------------

def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _find(element, path: str):
    """The first descendant along `path` (slash-separated local names), whatever the namespace version."""
    current = [element]
    for name in path.split("/"):
        current = [child for node in current for child in node if _local(child.tag) == name]
        if not current:
            return None
    return current[0]


def _text(element, path: str) -> str:
    found = _find(element, path) if element is not None else None
    return (found.text or "").strip() if found is not None else ""


def _signed(element, path: str = "Amt") -> tuple[Decimal, str]:
    amount = _find(element, path)
    value = Decimal((amount.text or "0").strip())
    sign = -1 if _text(element, "CdtDbtInd") == "DBIT" else 1
    return sign * value, amount.get("Ccy", "")


def _date(element, path: str) -> datetime.date | None:
    text = _text(element, f"{path}/Dt") or _text(element, f"{path}/DtTm")[:10]
    return datetime.date.fromisoformat(text) if text else None


def parse_camt053(content: bytes | str) -> ParsedStatement:
    raw = content.encode() if isinstance(content, str) else content
    if len(raw) > MAX_FILE_BYTES:
        raise BusinessRuleError("file_too_large", _("The file may be at most 5 MB."), field="file")
    if b"<!DOCTYPE" in raw[:2000] or b"<!ENTITY" in raw:
        raise _invalid(_("The XML file declares a document type; bank statements do not."))
    try:
        root = ElementTree.fromstring(raw)
    except ElementTree.ParseError as exc:
        raise _invalid(_("The XML file cannot be read: %(reason)s") % {"reason": exc}) from None
    if "camt.053" not in root.tag:
        raise _invalid(_("The XML file is not a CAMT.053 bank statement."))
    stmt = _find(root, "BkToCstmrStmt/Stmt")
    if stmt is None:
        raise _invalid(_("The file holds no statement (Stmt)."))
    statement = ParsedStatement(format="camt053", reference=_text(stmt, "Id"),
                                account=_text(stmt, "Acct/Id/IBAN") or _text(stmt, "Acct/Id/Othr/Id"),
                                currency=_text(stmt, "Acct/Ccy"))
    for balance in (child for child in stmt if _local(child.tag) == "Bal"):
        code = _text(balance, "Tp/CdOrPrtry/Cd")
        amount, currency = _signed(balance)
        if code in ("OPBD", "PRCD"):
            statement.opening_balance = amount
        elif code in ("CLBD",):
            statement.closing_balance = amount
        statement.currency = statement.currency or currency
    for index, entry in enumerate((child for child in stmt if _local(child.tag) == "Ntry"), start=1):
        try:
            amount, currency = _signed(entry)
            day = _date(entry, "BookgDt") or _date(entry, "ValDt")
        except (InvalidOperation, ValueError, AttributeError):
            raise _invalid(_("Entry %(index)s has no readable amount or date.") % {"index": index}) from None
        if day is None:
            raise _invalid(_("Entry %(index)s has no booking date.") % {"index": index})
        details = _find(entry, "NtryDtls/TxDtls")
        incoming = amount > 0
        party = "Dbtr" if incoming else "Cdtr"
        name = _text(details, f"RltdPties/{party}/Nm") or _text(details, f"RltdPties/{party}/Pty/Nm")
        iban = _text(details, f"RltdPties/{party}Acct/Id/IBAN")
        remittance = " ".join(
            (node.text or "").strip() for node in (details.iter() if details is not None else ())
            if _local(node.tag) in ("Ustrd", "Ref") and (node.text or "").strip())
        reference = remittance or _text(entry, "AddtlNtryInf")
        transaction_id = (_text(entry, "AcctSvcrRef") or _text(details, "Refs/AcctSvcrRef")
                          or _text(details, "Refs/EndToEndId") or _text(entry, "NtryRef"))
        if transaction_id == "NOTPROVIDED":
            transaction_id = ""
        statement.lines.append(ParsedLine(date=day, amount=amount, currency=currency or statement.currency,
                                          name=name, iban=iban, reference=reference[:500],
                                          transaction_id=transaction_id))
    return statement
