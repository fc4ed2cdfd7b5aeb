"""The pure core: no database, HTTP, clock or settings imports."""
