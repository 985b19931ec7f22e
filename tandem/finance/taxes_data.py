"""Tax rates of our markets, shipped as data and installed by finance.services.install_tax_rates (idempotent:
a row already there, same country, code and start, is left as it is). Rows: country, code, name, kind, rate %,
valid from, valid to (None: open), legal note printed on the invoice (exempt and reverse-charge lines).

Sources: Indonesia UU HPP 7/2021 (PPN 11 % from 1 April 2022, 12 % from 1 January 2025); Poland ustawa o VAT
(23/8/5/0 %, zwolnienie art. 43/113, odwrotne obciążenie art. 17); Bulgaria ЗДДС (20 %, 9 % for
accommodation, 0 %); Portugal CIVA, continental rates (23/13/6 %); Korea 부가가치세법 (10 %, zero rate)."""

import datetime

from django.utils.translation import gettext_lazy as _

D = datetime.date
S, R, Z, X, RC = "standard", "reduced", "zero", "exempt", "reverse_charge"

TAX_RATES = [
    # Indonesia
    ("ID", "PPN", _("PPN 11%"), S, "11", D(2022, 4, 1), D(2024, 12, 31), ""),
    ("ID", "PPN", _("PPN 12%"), S, "12", D(2025, 1, 1), None, ""),
    ("ID", "PPN-EX", _("PPN exempt"), X, "0", D(2022, 4, 1), None, "PPN dibebaskan"),
    # Poland
    ("PL", "VAT23", _("VAT 23%"), S, "23", D(2011, 1, 1), None, ""),
    ("PL", "VAT8", _("VAT 8%"), R, "8", D(2011, 1, 1), None, ""),
    ("PL", "VAT5", _("VAT 5%"), R, "5", D(2011, 1, 1), None, ""),
    ("PL", "VAT0", _("VAT 0%"), Z, "0", D(2011, 1, 1), None, ""),
    ("PL", "ZW", _("VAT exempt (zw)"), X, "0", D(2011, 1, 1), None,
     "Zwolnienie z VAT na podstawie art. 43 ust. 1 ustawy o VAT"),
    ("PL", "OO", _("Reverse charge (odwrotne obciążenie)"), RC, "0", D(2011, 1, 1), None, "Odwrotne obciążenie"),
    # Bulgaria
    ("BG", "VAT20", _("VAT 20%"), S, "20", D(2007, 1, 1), None, ""),
    ("BG", "VAT9", _("VAT 9%"), R, "9", D(2011, 4, 1), None, ""),
    ("BG", "VAT0", _("VAT 0%"), Z, "0", D(2007, 1, 1), None, ""),
    # Portugal (continental)
    ("PT", "IVA23", _("IVA 23%"), S, "23", D(2011, 1, 1), None, ""),
    ("PT", "IVA13", _("IVA 13%"), R, "13", D(2011, 1, 1), None, ""),
    ("PT", "IVA6", _("IVA 6%"), R, "6", D(2011, 1, 1), None, ""),
    # Korea
    ("KR", "VAT10", _("VAT 10%"), S, "10", D(1977, 7, 1), None, ""),
    ("KR", "VAT0", _("VAT zero rate"), Z, "0", D(1977, 7, 1), None, ""),
]
