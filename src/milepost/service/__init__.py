"""Use cases: short handlers over the domain and the storage port."""
