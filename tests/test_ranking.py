from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from parindex.domain.ranking import rank


def test_competition_ranking_skips_after_a_tie():
    places = rank({"a": Decimal(90), "b": Decimal(85), "c": Decimal(85), "d": Decimal(80)})
    assert [(places[k].rank, places[k].tied) for k in "abcd"] == [
        (1, False),
        (2, True),
        (2, True),
        (4, False),
    ]
    assert places["a"].of == 4


def test_dense_ranking_does_not_skip():
    places = rank({"a": Decimal(90), "b": Decimal(85), "c": Decimal(85), "d": Decimal(80)}, "dense")
    assert [places[k].rank for k in "abcd"] == [1, 2, 2, 3]


def test_units_without_a_figure_are_not_ranked():
    places = rank({"a": Decimal(1), "b": None})
    assert places["b"].rank is None
    assert places["a"].of == 1


keys = st.dictionaries(
    st.text(min_size=1, max_size=3),
    st.decimals(min_value=0, max_value=100, places=1),
    min_size=1,
    max_size=30,
)


@given(keys, st.randoms(), st.sampled_from(["competition", "dense"]))
def test_ranks_do_not_depend_on_input_order(scores, rnd, method):
    items = list(scores.items())
    rnd.shuffle(items)
    assert rank(dict(items), method) == rank(scores, method)


@given(keys)
def test_a_higher_score_never_ranks_lower(scores):
    places = rank(scores)
    for a in scores:
        for b in scores:
            if scores[a] > scores[b]:
                assert places[a].rank < places[b].rank
            if scores[a] == scores[b]:
                assert places[a].rank == places[b].rank


@given(keys)
def test_competition_rank_counts_those_strictly_ahead(scores):
    places = rank(scores)
    for owner, value in scores.items():
        assert places[owner].rank == 1 + sum(1 for v in scores.values() if v > value)
        assert places[owner].tied == (sum(1 for v in scores.values() if v == value) > 1)
