"""The portfolio page in a real browser: validation messages that keep bad
holdings out, values and P&L from the refreshed prices, the allocation
chart, update-prices with its progress, edit and delete.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.helpers import bearer
from tests.web.pages import go_to, rupees, sign_in


@pytest.fixture
def portfolio(page: Page, account) -> Page:
    sign_in(page, account)
    go_to(page, "Portfolio")
    return page


def _fill_holding(page: Page, symbol: str, quantity: str, price: str) -> None:
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Symbol").fill(symbol)
    dialog.get_by_label("Quantity").fill(quantity)
    dialog.get_by_label("Average buy price (₹)").fill(price)


def test_a_negative_quantity_shows_the_error_and_adds_nothing(portfolio: Page, account, client):
    page = portfolio
    page.get_by_role("button", name="Add holding").click()
    _fill_holding(page, "INFY", "-5", "1500")

    page.get_by_role("button", name="Add", exact=True).click()

    dialog = page.get_by_role("dialog", name="Add a holding")
    quantity = dialog.get_by_label("Quantity")
    expect(dialog.get_by_role("alert")).to_contain_text("quantity must be more than zero")
    expect(quantity).to_have_attribute("aria-invalid", "true")
    expect(quantity).to_be_focused()
    expect(quantity).to_have_accessible_description("quantity must be more than zero")
    dialog.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_text("No holdings yet")).to_be_visible()
    holdings = client.get("/portfolio/", headers=bearer(account["access_token"])).json()
    assert holdings["holdings"] == []


def test_a_holding_is_added_valued_charted_edited_and_deleted(portfolio: Page):
    page = portfolio
    page.get_by_role("button", name="Add holding").click()
    _fill_holding(page, "infy", "10", "1500")
    page.get_by_role("button", name="Add", exact=True).click()

    # Added, then priced by the refresh the API queued for it.
    row = page.locator("tbody tr", has_text="INFY · NSE")
    expect(row).to_contain_text("Infosys")
    expect(row.locator("td").nth(2)).to_contain_text("₹")  # last price
    cells = [row.locator("td").nth(n).inner_text() for n in range(6)]
    last_price, value, pnl = rupees(cells[2]), rupees(cells[3]), rupees(cells[4])
    assert cells[0] == "10" and rupees(cells[1]) == 1500
    assert value == pytest.approx(10 * last_price, abs=0.01)
    assert pnl == pytest.approx(value - 15_000, abs=0.01)
    expect(page.locator(".card", has_text="Total P&L")).to_contain_text(cells[4].split(" ")[0])
    expect(page.locator(".demo-banner")).to_contain_text("Demo data")
    expect(page.locator(".allocation .main-svg").first).to_be_visible()
    expect(page.locator(".allocation")).to_contain_text("100%")

    page.get_by_role("button", name="Update prices").click()
    expect(page.get_by_role("status").filter(has_text="Prices updated")).to_have_text(
        "Prices updated: 1 of 1 priced."
    )
    expect(page.get_by_role("button", name="Update prices")).to_be_enabled()

    row.get_by_role("button", name="Edit INFY").click()
    dialog = page.get_by_role("dialog", name="Edit INFY")
    dialog.get_by_label("Average buy price (₹)").fill("0")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.get_by_label("Average buy price (₹)")).to_have_attribute("aria-invalid", "true")
    dialog.get_by_label("Average buy price (₹)").fill("1400")
    dialog.get_by_label("Quantity").fill("20")
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(row.locator("td").nth(0)).to_have_text("20")
    expect(row.locator("td").nth(1)).to_have_text("₹1,400.00")

    row.get_by_role("button", name="Delete INFY").click()
    page.get_by_role("dialog", name="Delete holding?").get_by_role("button", name="Delete").click()
    expect(row).to_have_count(0)
    expect(page.get_by_text("No holdings yet")).to_be_visible()
