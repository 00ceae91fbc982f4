"""Figures written the way the grounding check reads them back."""

from __future__ import annotations

from domain.analyst.format import big_money, count, money, number, pct, ratio, table


def test_rupees_use_indian_grouping_and_two_decimals():
    assert money(1234567.891) == "₹12,34,567.89"
    assert money(-7.570000000000164, signed=True) == "-₹7.57"
    assert money(12.5, "USD") == "USD 12.50"


def test_amounts_of_a_crore_or_more_are_written_in_crore():
    assert big_money(6415236000000.0) == "₹6,41,523.60 crore"
    assert big_money(999999.0) == "₹9,99,999.00"


def test_fractions_are_written_as_percentages():
    assert pct(-0.004873150037659202, signed=True) == "-0.49%"
    assert pct(0.29238165680473377) == "29.24%"


def test_counts_and_multiples_keep_their_own_shapes():
    assert count(12087905.0) == "1,20,87,905"
    assert number(66.43318658324) == "66.43"
    assert ratio(1.3884634859476201) == "1.39×"


def test_missing_or_non_finite_figures_show_a_dash():
    assert money(None) == "—"
    assert pct(float("nan")) == "—"
    assert number(True) == "—"


def test_tables_escape_pipes_and_vanish_without_rows():
    assert table(("a", "b"), [("x|y", "1")]) == ["| a | b |", "|---|---|", "| x/y | 1 |"]
    assert table(("a",), []) == []
