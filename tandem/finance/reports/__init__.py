"""Financial reports read from the ledger (AccountBalance plus the lines of the periods a range cuts):

- statements.py: profit and loss, balance sheet (grouped by group parent, compared with a previous range);
- cash_flow.py: the cash-flow statement (direct method: cash movements by counter-account);
- budgets.py: actual against budget per account and period;
- forecast.py: the cash-flow forecast by week (open invoices and bills, upper apps' sources);
- origins.py: where an entry's origin document lives (URLs registered by upper apps);
- xlsx.py: every report as an XLSX workbook written row by row (constant memory), the journal lines export."""

from tandem.finance.reports.xlsx import trial_balance_xlsx

__all__ = ["trial_balance_xlsx"]
