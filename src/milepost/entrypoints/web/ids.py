"""The admin's addresses take an id as the rest of Milepost spells it (`oce_9`) or as its bare
number (`9`): a path convertor per kind, `{event_id:oce}`, named by the kind's prefix
(domain/ids.py). Anything else in that place is no page of ours (404). Registered when the
package is imported, before any route is made."""

from __future__ import annotations

from starlette.convertors import Convertor, register_url_convertor

from milepost.domain.ids import MAX_DIGITS, PREFIXES, format_id


class PublicId(Convertor[int]):
    """An id of `kind`: `oce_9` or `9`, converted to 9; written back as `oce_9`."""

    kind = ""

    def convert(self, value: str) -> int:
        return int(value.rpartition("_")[2])

    def to_string(self, value: int) -> str:
        return format_id(self.kind, int(value))


def convertor(kind: str) -> PublicId:
    """The convertor of one kind of id (the pattern is the class's, as Starlette reads it)."""
    pattern = rf"(?:{PREFIXES[kind]}_)?[0-9]{{1,{MAX_DIGITS}}}"
    made: type[PublicId] = type(f"PublicId_{kind}", (PublicId,), {"regex": pattern, "kind": kind})
    return made()


for _kind, _prefix in PREFIXES.items():
    register_url_convertor(_prefix, convertor(_kind))
