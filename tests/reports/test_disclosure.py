"""Small-number suppression (reports.disclosure): no table shows a count of 1 to 4 people, and
no hidden number can be worked out from the numbers shown beside it."""

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from reports.disclosure import Hidden, masked, suppress, suppress_counts

THRESHOLD = 5


# --- An independent reading of a suppressed table -------------------------------------------


def _extended(cells, hidden: Hidden, *, row_totals, column_totals, grand_total):
    """Every number of the table and its margins by position, and the set of hidden ones."""
    n_rows, n_columns = len(cells), len(cells[0])
    values = {(i, j): cells[i][j] for i in range(n_rows) for j in range(n_columns)}
    hide = set(hidden.cells)
    lines = []
    if row_totals:
        for i in range(n_rows):
            values[(i, n_columns)] = sum(cells[i])
            lines.append(([(i, j) for j in range(n_columns)], (i, n_columns)))
        hide |= {(i, n_columns) for i in hidden.row_totals}
    if column_totals:
        for j in range(n_columns):
            values[(n_rows, j)] = sum(row[j] for row in cells)
            lines.append(([(i, j) for i in range(n_rows)], (n_rows, j)))
        hide |= {(n_rows, j) for j in hidden.column_totals}
    if grand_total:
        grand = (n_rows, n_columns)
        values[grand] = sum(map(sum, cells))
        if row_totals:
            lines.append(([(i, n_columns) for i in range(n_rows)], grand))
        if column_totals:
            lines.append(([(n_rows, j) for j in range(n_columns)], grand))
        if not (row_totals or column_totals):
            lines.append(([(i, j) for i in range(n_rows) for j in range(n_columns)], grand))
        if hidden.grand_total:
            hide.add(grand)
    return values, hide, lines


def _rank(rows: list[list[Fraction]]) -> int:
    rows = [list(row) for row in rows if any(row)]
    rank = 0
    width = len(rows[0]) if rows else 0
    for column in range(width):
        pivot = next((r for r in range(rank, len(rows)) if rows[r][column]), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for r in range(len(rows)):
            if r != rank and rows[r][column]:
                factor = rows[r][column] / rows[rank][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[rank], strict=True)]
        rank += 1
    return rank


def _derivable(values, hide, lines) -> list:
    """Hidden numbers the table's sums determine: dropping such a number's column from the
    equations (over hidden numbers only) lowers their rank."""
    variables = sorted(hide)
    matrix = []
    for members, total in lines:
        row = [Fraction(0)] * len(variables)
        for k, position in enumerate(variables):
            if position in members:
                row[k] += 1
            if position == total:
                row[k] -= 1
        matrix.append(row)
    full = _rank(matrix)
    return [
        position
        for k, position in enumerate(variables)
        if _rank([row[:k] + row[k + 1 :] for row in matrix]) < full
    ]


def _assert_safe(cells, hidden, **margins):
    values, hide, lines = _extended(cells, hidden, **margins)
    for position, value in values.items():
        if position not in hide:
            assert value == 0 or value >= THRESHOLD, (position, value)
        else:
            assert value > 0, "zero is never hidden"
    for members, total in lines:
        unknowns = [p for p in [*members, total] if p in hide]
        assert len(unknowns) != 1, ("a line with one hidden number", members, total)
        hidden_members = [p for p in members if p in hide]
        if hidden_members and total not in hide:
            rest = values[total] - sum(values[p] for p in members if p not in hide)
            assert rest > len(hidden_members), "hidden cells that could only all be 1"
    assert _derivable(values, hide, lines) == []


counts = st.integers(min_value=0, max_value=14)
# Small numbers often, so that suppression has work to do.
small_heavy = st.one_of(st.integers(0, 4), counts)


@st.composite
def tables(draw):
    n_rows = draw(st.integers(1, 5))
    n_columns = draw(st.integers(1, 6))
    return [
        draw(st.lists(small_heavy, min_size=n_columns, max_size=n_columns)) for _ in range(n_rows)
    ]


# --- Properties -------------------------------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(tables(), st.booleans(), st.booleans(), st.booleans())
def test_random_tables_show_no_small_count_and_no_hidden_number_can_be_derived(
    cells, row_totals, column_totals, grand_total
):
    hidden = suppress(
        cells,
        threshold=THRESHOLD,
        row_totals=row_totals,
        column_totals=column_totals,
        grand_total=grand_total,
    )
    _assert_safe(
        cells, hidden, row_totals=row_totals, column_totals=column_totals, grand_total=grand_total
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(small_heavy, min_size=1, max_size=9))
def test_a_list_with_its_total_never_gives_a_hidden_count_away(values):
    hidden, total_hidden = suppress_counts(values, threshold=THRESHOLD)
    shown = [v for k, v in enumerate(values) if k not in hidden]
    assert all(v == 0 or v >= THRESHOLD for v in shown)
    total = sum(values)
    if 0 < total < THRESHOLD:
        assert total_hidden
    if not total_hidden:
        # What the total leaves for the hidden counts, each at least 1, never pins one down.
        assert len(hidden) != 1
        assert not hidden or total - sum(shown) > len(hidden)
    else:
        assert len(hidden) != 0 or total == 0


@settings(max_examples=200, deadline=None)
@given(tables(), st.integers(1, 12))
def test_any_threshold_hides_exactly_the_counts_under_it_at_least(cells, threshold):
    hidden = suppress(cells, threshold=threshold, row_totals=True, column_totals=True)
    for i, row in enumerate(cells):
        for j, value in enumerate(row):
            if 0 < value < threshold:
                assert (i, j) in hidden.cells
            if value == 0:
                assert (i, j) not in hidden.cells


# --- Examples ---------------------------------------------------------------------------------


def test_counts_of_five_or_more_and_zeros_are_all_shown():
    assert suppress_counts([5, 0, 12, 0], threshold=5) == (frozenset(), False)


def test_one_small_count_hides_the_next_smallest_so_the_total_cannot_give_it_away():
    hidden, total_hidden = suppress_counts([3, 9, 0, 6], threshold=5)
    assert hidden == {0, 3}
    assert not total_hidden


def test_two_small_counts_need_nothing_more_unless_they_could_only_be_one_each():
    assert suppress_counts([2, 3, 10], threshold=5) == (frozenset({0, 1}), False)
    # 12 - 10 leaves 2 for two hidden counts that cannot be 0: both would be 1.
    assert suppress_counts([1, 1, 10], threshold=5) == (frozenset({0, 1, 2}), False)


def test_a_small_total_is_hidden_and_a_lone_small_count_beside_zeros_hides_the_total():
    assert suppress_counts([3, 0, 0], threshold=5) == (frozenset({0}), True)
    assert suppress_counts([0, 0], threshold=5) == (frozenset(), False)


def test_the_marker_replaces_hidden_counts_only():
    assert masked([3, 0, 7], frozenset({0, 2})) == [None, 0, None]


def test_a_cell_joining_two_hidden_blocks_is_protected_by_the_exact_audit():
    # Two 2x2 blocks of small counts, and one small cell (row 1, column 2) joining them:
    # every row and column has two or more hidden cells, yet rows 0 and 1 minus columns 0
    # and 1 give that cell exactly.
    cells = [
        [1, 2, 0, 0, 9],
        [3, 4, 1, 0, 9],
        [0, 0, 2, 3, 9],
        [0, 0, 4, 1, 9],
        [9, 9, 9, 9, 9],
    ]
    hidden = suppress(cells, threshold=5, row_totals=True, column_totals=True)
    _assert_safe(cells, hidden, row_totals=True, column_totals=True, grand_total=False)
    assert len(hidden.cells) > 9


def test_a_table_with_every_margin_iterates_over_rows_and_columns_until_stable():
    cells = [[2, 8, 7], [6, 9, 8], [7, 6, 10]]
    hidden = suppress(cells, threshold=5, row_totals=True, column_totals=True, grand_total=True)
    _assert_safe(cells, hidden, row_totals=True, column_totals=True, grand_total=True)
    # Row 0 and column 0 each need a second hidden cell, and then the rows and columns
    # those fall in: four cells in a rectangle at least.
    assert (0, 0) in hidden.cells and len(hidden.cells) >= 4
    assert not hidden.grand_total


def test_bad_tables_are_refused():
    for cells in ([[1, 2], [3]], [[-1]]):
        try:
            suppress(cells, threshold=5)
        except ValueError:
            continue
        raise AssertionError(f"{cells} was accepted")
