"""Stock valuation: moving average or FIFO per legal entity, costs that follow back-dated entries.

services: value_move (called by stock.services.record_move), correct_cost; queries: value_at,
warehouse_value; engine: the rules and their rounding."""
