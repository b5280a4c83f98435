"""State machines as data: which status may follow which, as one table per stateful model.

Each model declares its table beside itself (`engagement.models.SESSION_TRANSITIONS`, ...),
the services ask it before every status write, and README.md ("State machines") documents
every table, which tests/test_state_machines.py holds equal to the code. A status write is
either a check of one move on a locked row (`check`) or a conditional UPDATE whose WHERE
clause comes from the table (`update`, or `sources_of` in a filter), so the table decides
what a row may become, not the caller.

Plumbing at the bottom layer: pure Python, no Django import and no app. `update` only calls
`filter` and `update` on the queryset it is given. A refusal here (`TransitionError`) is a
bug in the caller: services give people their own translated message before it comes to
that.
"""

from collections.abc import Iterable, Iterator, Mapping

# How README.md names the row of states a new row may start in.
NEW = "(new)"
# How README.md writes a final state's empty set of successors.
FINAL = "(final)"


class TransitionError(ValueError):
    """A move (or a starting state) the table does not allow."""


class Transitions(Mapping[str, frozenset[str]]):
    """The allowed moves of one status field: a mapping from each state to the states it may
    become, plus the states a new row may start in. A state may list itself: a leased job
    "moves" from queued to queued when the sweep enqueues it again, which is a write the
    table allows like any other."""

    def __init__(
        self,
        name: str,
        table: Mapping[str, Iterable[str]],
        *,
        initial: Iterable[str],
        field: str = "status",
    ) -> None:
        self.name = name
        self.field = field
        self._table = {str(state): frozenset(map(str, targets)) for state, targets in table.items()}
        self.initial = frozenset(map(str, initial))
        named = self.initial.union(*self._table.values())
        unknown = named - self._table.keys()
        if unknown:
            raise ValueError(f"{name}: states without a row of their own: {sorted(unknown)}")
        if not self.initial:
            raise ValueError(f"{name}: no state a new row may start in")

    def __repr__(self) -> str:
        return f"<Transitions {self.name}>"

    # Mapping: state -> the states it may become.
    def __getitem__(self, state: str) -> frozenset[str]:
        return self._table[str(state)]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)

    @property
    def states(self) -> tuple[str, ...]:
        return tuple(self._table)

    def allowed(self, from_state: str, to_state: str) -> bool:
        return str(to_state) in self._table.get(str(from_state), frozenset())

    def check(self, from_state: str, to_state: str) -> None:
        """Raise TransitionError unless `from_state` may become `to_state`."""
        if not self.allowed(from_state, to_state):
            raise TransitionError(f"{self.name}: {from_state} may not become {to_state}")

    def check_initial(self, state: str) -> None:
        """Raise TransitionError unless a new row may start in `state`."""
        if str(state) not in self.initial:
            raise TransitionError(f"{self.name}: a new row may not start {state}")

    def targets_of(self, from_state: str) -> frozenset[str]:
        return self._table.get(str(from_state), frozenset())

    def sources_of(self, to_state: str, *, among: Iterable[str] | None = None) -> frozenset[str]:
        """The states that may become `to_state`. With `among` (the states a caller means to
        move from), exactly those, each checked against the table."""
        sources = frozenset(state for state, targets in self._table.items() if to_state in targets)
        if among is None:
            return sources
        chosen = frozenset(map(str, among))
        for state in sorted(chosen - sources):
            self.check(state, to_state)  # raises, naming the move
        return chosen

    def update(self, queryset, *, to: str, among: Iterable[str] | None = None, **fields) -> int:
        """Move every row of `queryset` whose status may become `to` (or, with `among`, whose
        status is one of those checked states) in one conditional UPDATE; `fields` are
        written with it. Returns how many rows moved."""
        sources = self.sources_of(to, among=among)
        return queryset.filter(**{f"{self.field}__in": sorted(sources)}).update(
            **{self.field: to}, **fields
        )

    def rows(self) -> dict[str, frozenset[str]]:
        """The table as README.md writes it: the new-row line first, then each state."""
        return {NEW: self.initial, **self._table}

    def markdown(self) -> str:
        """The table in README.md's form (`| From | May become |`)."""

        def cell(states: frozenset[str]) -> str:
            ordered = [state for state in self._table if state in states]
            return ", ".join(f"`{state}`" for state in ordered) or FINAL

        lines = ["| From | May become |", "|---|---|"]
        lines += [
            f"| {source if source == NEW else f'`{source}`'} | {cell(targets)} |"
            for source, targets in self.rows().items()
        ]
        return "\n".join(lines)
