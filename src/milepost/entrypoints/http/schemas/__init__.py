"""What the admin API answers: one shape per resource, the same wherever it appears,
one module per resource (`common` holds what they share: times, pages).

Ids are stable strings with a prefix (`oce_12`, `mst_3`, `alr_5`, `led_9`, `pts_4`);
templates are named by their key and customers by the store's own id. Times are
ISO 8601 with an offset (UTC). Amounts are integers of minor units (cents).
"""
