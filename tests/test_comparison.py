"""The dashboards' arithmetic (pure domain): a change against last year in points when the
maximum is the same, in percentage points of the maximum when it changed; signs written the
Vietnamese way; a group of one ranks nobody; the trend over the years against the peers."""

from decimal import Decimal

from hypothesis import assume, given
from hypothesis import strategies as st

from parindex.domain.comparison import Change, compare, peer_average, ranked, signed, trend
from parindex.domain.ranking import Place
from parindex.domain.scoring import NodeResult, PreviousResult, Results, UnitInfo, UnitResult

D = Decimal


def test_the_finding_an_area_whose_maximum_shrank_is_compared_in_pct_points():
    # 8,25/11,5 in 2021 and 5,25/8 in 2022 were shown as "-3": the area's size changed.
    change = compare(D("8.25"), D("11.5"), D("5.25"), D(8))
    assert not change.in_points
    assert change.points == D(-3)  # still there, beside the reading that compares
    assert signed(change.pct_points, 2) == "−6,11"  # 65,625% − 71,739%
    assert change.direction == -1


def test_the_same_maximum_is_compared_in_points():
    change = compare(D("4.25"), D(5), D("4.5"), D(5))
    assert change.in_points and change.headline == D("0.25")
    assert signed(change.headline) == "+0,25"


def test_a_fall_in_points_can_be_a_rise_in_share_of_the_maximum():
    change = compare(D(9), D(12), D(8), D(10))  # 75% → 80%
    assert change.points < 0 and change.direction == 1
    assert signed(change.headline, 2) == "+5"


def test_an_area_without_a_maximum_one_year_is_not_comparable():
    change = compare(D(0), D(0), D(3), D(4))
    assert change.pct_points is None and change.headline is None and change.direction is None
    assert signed(change.headline) == ""


def test_signs_are_written_the_vietnamese_way():
    assert signed(D("5.405")) == "+5,405"
    assert signed(D("-1234.5")) == "−1.234,5"
    assert signed(D("0.0004")) == "0"  # too small to show: neither +0 nor −0
    assert signed(D("-0.0004")) == "0"


def test_a_group_of_one_ranks_nobody():
    assert not ranked(Place(1, 1, False))
    assert not ranked(Place(None, 3, False))
    assert not ranked(None)
    assert ranked(Place(1, 2, False))


def test_the_results_carry_their_change():
    node = NodeResult("1", "Area", D("5.25"), D(8), None, None)
    assert node.change is None
    from parindex.domain.scoring import NodeScore

    node.previous = NodeScore(D("8.25"), D("11.5"), True)
    assert node.change == Change(D("8.25"), D("11.5"), D("5.25"), D(8))


# --- properties -------------------------------------------------------------------------------

points = st.decimals(min_value=0, max_value=1000, places=3)
maxima = st.decimals(min_value=D("0.5"), max_value=1000, places=2)


@given(points, maxima, points, maxima)
def test_the_change_is_read_in_points_exactly_when_the_maxima_agree(a, am, b, bm):
    change = compare(a, am, b, bm)
    assert change.in_points == (am == bm)
    if am == bm:
        assert change.headline == b - a
    else:
        assert change.headline == change.after_pct - change.before_pct


def _sign(value):
    return (value > 0) - (value < 0)


@given(points, maxima, points, maxima)
def test_the_direction_is_decided_exactly_and_the_pct_points_never_contradict_it(a, am, b, bm):
    change = compare(a, am, b, bm)
    # The better share of its maximum is the better year, whatever the points say.
    expected = _sign(b - a) if am == bm else _sign(b * am - a * bm)
    assert change.direction == expected
    # Rounded divisions may flatten a tiny change to 0, never turn it round.
    assert _sign(change.pct_points) in (expected, 0)


@given(points, maxima, points, maxima)
def test_swapping_the_years_negates_the_change(a, am, b, bm):
    forward, backward = compare(a, am, b, bm), compare(b, bm, a, am)
    assert forward.points == -backward.points
    assert forward.direction == -backward.direction
    assert abs(forward.pct_points + backward.pct_points) < D("1e-20")


@given(points, maxima, st.integers(min_value=2, max_value=9), points, maxima)
def test_scaling_a_year_with_its_maximum_changes_nothing_in_pct_points(a, am, k, b, bm):
    assume(am * k != bm and am != bm)
    scaled = compare(a * k, am * k, b, bm)
    plain = compare(a, am, b, bm)
    assert abs(scaled.pct_points - plain.pct_points) < D("1e-20")
    assert scaled.direction == plain.direction


@given(points, points, maxima)
def test_with_equal_maxima_pct_points_are_points_scaled_to_the_maximum(a, b, m):
    change = compare(a, m, b, m)
    assert abs(change.pct_points - change.points * 100 / m) < D("1e-20")


@given(st.decimals(min_value=-(10**6), max_value=10**6, places=4))
def test_signed_keeps_the_sign_of_what_it_shows(value):
    text = signed(value)
    if text == "0":
        assert abs(value) < D("0.0005")
    else:
        assert text[0] == ("+" if value > 0 else "−")


# --- the trend --------------------------------------------------------------------------------


class _Framework:
    def __init__(self, code, year):
        self.code, self.year = code, year


def _results(code, year, figures):
    """figures: unit → (group, index %)."""
    from parindex.domain.scoring import UnitScore

    units = []
    for unit, (group, index) in figures.items():
        score = UnitScore({}, {}, D(0), D(0), index or D(0), D(100), index, None)
        place = Place(1, 2, False)
        units.append(UnitResult(UnitInfo(unit, unit, group), score, place, []))
    return Results(_Framework(code, year), units)


def test_the_trend_follows_the_years_with_the_peer_average():
    history = [
        _results("so-2022", 2022, {"SYT": ("g", D(80)), "SNV": ("g", D(90)), "X": ("h", D(10))}),
        _results("so-2021", 2021, {"SYT": ("g", D(70)), "SNV": ("g", D(60))}),
        _results("so-2020", 2020, {"SNV": ("g", D(50))}),
    ]
    points = trend(history, "SYT", "g")
    assert [p.year for p in points] == [2020, 2021, 2022]
    assert [p.index_pct for p in points] == [None, D(70), D(80)]
    assert [p.peer_average for p in points] == [D(50), D(65), D(85)]  # the other group apart
    assert [p.peers for p in points] == [1, 2, 2]


def test_a_unit_without_a_group_has_no_peer_average():
    results = _results("so-2022", 2022, {"SYT": (None, D(80))})
    assert peer_average(results, None) == (None, 0)
    assert trend([results], "SYT", None)[0].peer_average is None


@given(st.lists(st.decimals(min_value=0, max_value=100, places=3), min_size=1, max_size=25))
def test_the_peer_average_lies_between_the_lowest_and_the_highest(indices):
    results = _results("y", 2022, {f"U{i}": ("g", index) for i, index in enumerate(indices)})
    average, count = peer_average(results, "g")
    assert count == len(indices)
    assert min(indices) <= average <= max(indices)


def test_previous_result_keeps_its_delta():
    last = PreviousResult("so-2021", D("84.033"), D(98), None, None)
    assert last.delta(D("81.779")) == D("-2.254")
