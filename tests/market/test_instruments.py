import pytest

from domain.errors import NotFound
from domain.market.errors import MarketError, UnknownSymbol
from domain.market.instruments import nifty50, resolve


@pytest.mark.parametrize(
    ("text", "exchange", "yahoo"),
    [
        ("INFY", "NSE", "INFY.NS"),
        ("infy.ns", "NSE", "INFY.NS"),
        ("Infosys", "NSE", "INFY.NS"),
        ("INFY.BO", "BSE", "INFY.BO"),
        ("infosys ltd", "NSE", "INFY.NS"),
        ("  Infosys Limited ", "NSE", "INFY.NS"),
        ("NSE:INFY", "NSE", "INFY.NS"),
        ("bse: infy", "BSE", "INFY.BO"),
    ],
)
def test_spellings_of_infosys_resolve_to_one_instrument(text, exchange, yahoo):
    instrument = resolve(text)

    assert instrument.symbol == "INFY"
    assert instrument.name == "Infosys Ltd"
    assert instrument.exchange == exchange
    assert instrument.yahoo_symbol == yahoo
    assert instrument.in_nifty50


@pytest.mark.parametrize(
    ("text", "symbol"),
    [
        ("Dr. Reddy's Laboratories", "DRREDDY"),
        ("L&T", "LT"),
        ("larsen & toubro ltd", "LT"),
        ("m&m.ns", "M&M"),
        ("Mahindra and Mahindra", "M&M"),
        ("bajaj-auto", "BAJAJ-AUTO"),
        ("Zomato", "ETERNAL"),
        ("TATAMOTORS", "TMPV"),
        ("state bank of india", "SBIN"),
        ("RIL", "RELIANCE"),
    ],
)
def test_punctuation_aliases_and_old_symbols_resolve(text, symbol):
    assert resolve(text).symbol == symbol


def test_every_constituent_resolves_by_its_name_and_symbol():
    constituents = nifty50()

    assert len({inst.symbol for inst in constituents}) == 50
    for inst in constituents:
        assert resolve(inst.name) == inst
        assert resolve(inst.yahoo_symbol) == inst


def test_unknown_name_lists_closest_matches():
    with pytest.raises(UnknownSymbol) as caught:
        resolve("Infosis")

    assert "INFY (Infosys Ltd)" in caught.value.suggestions
    assert "INFY" in str(caught.value)
    assert caught.value.query == "Infosis"


def test_unknown_symbol_is_a_market_error_and_a_not_found():
    with pytest.raises(UnknownSymbol) as caught:
        resolve("qwertyuiop corp")

    assert isinstance(caught.value, MarketError)
    assert isinstance(caught.value, NotFound)


def test_blank_text_is_unknown():
    with pytest.raises(UnknownSymbol):
        resolve("   ")


def test_well_formed_ticker_outside_nifty_resolves_only_when_allowed():
    with pytest.raises(UnknownSymbol):
        resolve("IRCTC")

    instrument = resolve("irctc.bo", allow_unlisted=True)

    assert instrument.symbol == "IRCTC"
    assert instrument.exchange == "BSE"
    assert instrument.yahoo_symbol == "IRCTC.BO"
    assert not instrument.in_nifty50
    assert instrument.sector is None and instrument.base_price is None


def test_unlisted_policy_callback_sees_yahoo_symbol_and_can_refuse():
    asked = []

    def exists(yahoo_symbol):
        asked.append(yahoo_symbol)
        return yahoo_symbol == "IRCTC.NS"

    assert resolve("IRCTC", allow_unlisted=exists).symbol == "IRCTC"
    with pytest.raises(UnknownSymbol):
        resolve("NOSUCH", allow_unlisted=exists)
    assert asked == ["IRCTC.NS", "NOSUCH.NS"]


def test_company_name_with_spaces_is_never_taken_for_a_ticker():
    with pytest.raises(UnknownSymbol):
        resolve("some unknown company", allow_unlisted=True)
