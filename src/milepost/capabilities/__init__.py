"""The Python API, by capability: what `Milepost` exposes as `mp.stores`, `mp.programs`,
`mp.ledgers`, `mp.codes`, ... One module per capability, each a small class over the
`Wiring` (database, clock, settings, store keys' ids) that `bootstrap.py` builds once.
docs/reference/python.md lists every method."""
