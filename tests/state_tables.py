"""For tests that prove a service consults its state machine: the same table with one move
taken out, to patch in where the service reads it."""

from afa_platform.states import Transitions


def without(table: Transitions, source: str, target: str) -> Transitions:
    assert table.allowed(source, target), f"{table.name} has no move {source} -> {target}"
    return Transitions(
        table.name,
        {
            state: targets - {target} if state == source else targets
            for state, targets in table.items()
        },
        initial=table.initial,
        field=table.field,
    )
