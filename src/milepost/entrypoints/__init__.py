"""Entrypoints translate the outside world into calls of the Python API in
`milepost.bootstrap`, and its answers back. One package per way in, each laid out
by the nouns the store operator uses:

    cli/      the `milepost` command: `cli/<noun>.py` holds `milepost <noun> ...`
    http/     the HTTP API: `http/<resource>.py` holds the routes under its URL,
              `http/schemas/<resource>.py` its request and response models
    web/      the admin UI under /admin: one module per area of pages

Shared by more than one of them, so at this level:

    output.py               how the CLI shows things; the admin UI takes its words for
                            actions (`action_text`) from here too
    program_collections.py  how programs and order count events are found and changed
                            (CLI and HTTP)
"""
