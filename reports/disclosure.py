"""Which counts of people a table may show: small-number suppression, in one pure function.

A figure broken down by a property of people (their background, age group, organisation,
whether they attended) must not single anyone out. `suppress` takes a table of counts and the
totals shown with it (its margins) and returns which of them to hide:

1. Primary suppression: every count from 1 to `threshold - 1` is hidden (the cells and the
   totals alike). 0 is always shown: it says nobody is there, which reveals nobody, and a
   table of zeros with "hidden" in them would read as though someone were.
2. Secondary suppression, repeated until nothing changes, over every line of the table (each
   row with its row total, each column with its column total, the row totals and the column
   totals with the grand total):
   - a line with exactly one hidden number (a cell or its total) would give it away as the
     total minus the others, so the smallest other non-zero count in the line is hidden too
     (its total when none is left);
   - a line whose hidden cells must all be 1 (what they add up to, the total minus the shown
     cells, equals how many there are: a hidden cell is never 0) is treated the same way;
   - finally an exact audit: the table's lines are linear equations, and a hidden number that
     they pin down however the others are chosen (Gaussian elimination over the rationals:
     its unit vector lies in the row space of the hidden numbers' coefficients) gets another
     number hidden beside it. This catches what the line-by-line rule cannot, such as a cell
     that joins two blocks of hidden cells.
   A hidden number may therefore be 5 or more (hidden to protect a small one), so every
   hidden number carries the same marker: telling the two apart would give the small one
   away again. Zeros are never chosen for secondary suppression (they would add nothing: a
   line's total minus its shown cells is the same with or without them).

Margins must be the sums of their cells (a person counts in one cell of a row): the equations
above rely on it. The function reads no settings and touches no database, so the dashboard,
the digests and the aggregate exports share it, and its tests can try thousands of tables.
Bounds a reader could get by combining the lines with "every count is at least 0" beyond the
all-ones rule are not audited.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

# A number's place in the table with its margins: (row, column) for a cell; (row, C) for a
# row's total and (R, column) for a column's total, R and C being the counts of rows and
# columns; (R, C) for the grand total.
Position = tuple[int, int]


@dataclass(frozen=True)
class Hidden:
    """What to hide: cells by (row, column), row and column totals by index, the grand total."""

    cells: frozenset[Position]
    row_totals: frozenset[int]
    column_totals: frozenset[int]
    grand_total: bool


@dataclass(frozen=True)
class _Line:
    members: tuple[Position, ...]
    total: Position


def suppress(
    cells: Sequence[Sequence[int]],
    *,
    threshold: int,
    row_totals: bool = False,
    column_totals: bool = False,
    grand_total: bool = False,
) -> Hidden:
    """Which numbers of a table of counts (rows of equal length) to hide, with the margins
    that are shown beside it: a total per row, per column and the grand total (which, without
    row or column totals, is the sum of every cell). Margins are computed here, as sums."""
    n_rows = len(cells)
    n_columns = len(cells[0]) if n_rows else 0
    if any(len(row) != n_columns for row in cells):
        raise ValueError("Every row of the table must have as many cells.")
    if any(value < 0 for row in cells for value in row):
        raise ValueError("Counts cannot be negative.")
    values: dict[Position, int] = {
        (i, j): value for i, row in enumerate(cells) for j, value in enumerate(row)
    }
    lines: list[_Line] = []
    if row_totals:
        for i in range(n_rows):
            values[(i, n_columns)] = sum(cells[i])
            lines.append(_Line(tuple((i, j) for j in range(n_columns)), (i, n_columns)))
    if column_totals:
        for j in range(n_columns):
            values[(n_rows, j)] = sum(row[j] for row in cells)
            lines.append(_Line(tuple((i, j) for i in range(n_rows)), (n_rows, j)))
    if grand_total:
        grand = (n_rows, n_columns)
        values[grand] = sum(map(sum, cells))
        if row_totals:
            lines.append(_Line(tuple((i, n_columns) for i in range(n_rows)), grand))
        if column_totals:
            lines.append(_Line(tuple((n_rows, j) for j in range(n_columns)), grand))
        if not row_totals and not column_totals:
            lines.append(_Line(tuple(sorted(values.keys() - {grand})), grand))

    hidden = {position for position, value in values.items() if 0 < value < threshold}
    while (more := _next_to_hide(values, lines, hidden)) is not None:
        hidden.add(more)

    return Hidden(
        cells=frozenset(p for p in hidden if p[0] < n_rows and p[1] < n_columns),
        row_totals=frozenset(i for i, j in hidden if j == n_columns and i < n_rows),
        column_totals=frozenset(j for i, j in hidden if i == n_rows and j < n_columns),
        grand_total=(n_rows, n_columns) in hidden and grand_total,
    )


def suppress_counts(counts: Sequence[int], *, threshold: int) -> tuple[frozenset[int], bool]:
    """A list of counts shown with their total (people by background, say): the indices to
    hide, and whether to hide the total."""
    found = suppress([list(counts)], threshold=threshold, row_totals=True)
    return frozenset(j for _i, j in found.cells), bool(found.row_totals)


def masked(counts: Sequence[int], hidden: frozenset[int]) -> list[int | None]:
    """The counts with the hidden ones as None (what templates show as the hidden marker)."""
    return [None if index in hidden else count for index, count in enumerate(counts)]


# --- Secondary suppression ----------------------------------------------------------------


def _smallest_shown(values: dict[Position, int], hidden: set[Position], line: _Line):
    """The line's smallest non-zero shown cell, else its total if shown and non-zero."""
    shown = [p for p in line.members if p not in hidden and values[p] > 0]
    if shown:
        return min(shown, key=lambda p: (values[p], p))
    if line.total not in hidden and values[line.total] > 0:
        return line.total
    return None


def _line_gives_away(values: dict[Position, int], hidden: set[Position], line: _Line) -> bool:
    hidden_members = [p for p in line.members if p in hidden]
    unknowns = len(hidden_members) + (line.total in hidden)
    if unknowns == 1:
        return True
    if hidden_members and line.total not in hidden:
        rest = values[line.total] - sum(values[p] for p in line.members if p not in hidden)
        # Hidden cells are never 0: as many as there are, adding up to that, all are 1.
        return rest == len(hidden_members)
    return False


def _next_to_hide(values: dict[Position, int], lines: list[_Line], hidden: set[Position]):
    for line in lines:
        if _line_gives_away(values, hidden, line):
            found = _smallest_shown(values, hidden, line)
            if found is not None:
                return found
    for position in _pinned_down(lines, hidden):
        for line in lines:
            if position == line.total or position in line.members:
                found = _smallest_shown(values, hidden, line)
                if found is not None:
                    return found
        shown = [p for p in values if p not in hidden and values[p] > 0]
        if shown:
            return min(shown, key=lambda p: (values[p], p))
    return None


def _pinned_down(lines: list[_Line], hidden: set[Position]) -> list[Position]:
    """Hidden numbers the lines determine exactly, whatever the shown numbers are: each line
    says sum(members) - total = 0; over the hidden numbers only, a hidden number is
    determined when a row of the reduced row echelon form is its unit vector."""
    variables = sorted(hidden)
    index = {position: k for k, position in enumerate(variables)}
    matrix: list[list[Fraction]] = []
    for line in lines:
        row = [Fraction(0)] * len(variables)
        for member in line.members:
            if member in index:
                row[index[member]] += 1
        if line.total in index:
            row[index[line.total]] -= 1
        if any(row):
            matrix.append(row)
    pivot_row = 0
    pivots: list[int] = []
    for column in range(len(variables)):
        found = next((r for r in range(pivot_row, len(matrix)) if matrix[r][column]), None)
        if found is None:
            continue
        matrix[pivot_row], matrix[found] = matrix[found], matrix[pivot_row]
        lead = matrix[pivot_row][column]
        matrix[pivot_row] = [value / lead for value in matrix[pivot_row]]
        for r in range(len(matrix)):
            if r != pivot_row and matrix[r][column]:
                factor = matrix[r][column]
                matrix[r] = [
                    a - factor * b for a, b in zip(matrix[r], matrix[pivot_row], strict=True)
                ]
        pivots.append(column)
        pivot_row += 1
        if pivot_row == len(matrix):
            break
    return [
        variables[column]
        for r, column in enumerate(pivots)
        if sum(1 for value in matrix[r] if value) == 1
    ]
