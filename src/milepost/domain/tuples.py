"""`tuple_new`: a NamedTuple built from its values without its generated `__new__`,
an interpreted function even in the compiled build (setup.py): half the cost, for the
tuples built once per event (`OrderEvent`, `OrderState`, `Aggregates`, `Crossing`,
`EventResult`). The values must be complete and in field order. domain/construct.py
tells the rest of what is shaped for the compiled build."""

tuple_new = tuple.__new__
