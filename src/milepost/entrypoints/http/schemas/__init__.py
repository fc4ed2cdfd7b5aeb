"""The request and response models of the admin API, one module per resource, named
like the module of its routes (`http/store.py` answers `schemas/store.Store` and takes
`schemas/store.StorePatch`). One shape per resource, the same wherever it appears.
What they all share: `requests` (bounded text, actions, `Body`, `Patch`) and
`responses` (times, pages). Deliveries and milestone programs still define theirs at
the top of `http/deliveries.py` and `http/programs.py`.

Ids are stable strings with a prefix (`oce_12`, `mst_3`, `alr_5`, `led_9`, `pts_4`);
templates are named by their key and customers by the store's own id. Times are
ISO 8601 with an offset (UTC). Amounts are integers of minor units (cents).
"""
