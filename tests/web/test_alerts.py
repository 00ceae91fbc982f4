"""The alerts page in a real browser: the form's validation, a new alert in
the list (fired at once when its condition already holds), edit and delete.
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.web.pages import go_to, sign_in


def test_an_alert_without_a_threshold_is_refused_and_a_valid_one_is_listed_and_checked(
    page: Page, account
):
    sign_in(page, account)
    go_to(page, "Alerts")
    form = page.get_by_role("region", name="New alert")
    expect(page.get_by_text("No alerts yet.")).to_be_visible()

    form.get_by_label("Symbol").fill("INFY")
    form.get_by_role("button", name="Add alert").click()
    threshold = form.get_by_label("Threshold")
    expect(threshold).to_have_attribute("aria-invalid", "true")
    expect(threshold).to_have_accessible_description("Enter a number")
    expect(page.get_by_text("No alerts yet.")).to_be_visible()

    form.get_by_label("Condition").select_option(label="rises above")
    threshold.fill("1000")
    form.get_by_role("button", name="Add alert").click()
    row = page.locator("tbody tr", has_text="INFY above ₹1,000.00")
    expect(row).to_be_visible()
    expect(form.get_by_label("Symbol")).to_have_value("")
    # The demo price is far above 1,000: the check the API queued fires it.
    expect(row).to_contain_text("Fired")
    expect(row.locator("td").nth(1)).to_contain_text(".")  # the last value it saw

    row.get_by_role("button", name="Edit alert: INFY above ₹1,000.00").click()
    dialog = page.get_by_role("dialog", name="Edit alert")
    dialog.get_by_label("Threshold").fill("99999")
    dialog.get_by_role("button", name="Save alert").click()
    row = page.locator("tbody tr", has_text="INFY above ₹99,999.00")
    expect(row).to_contain_text("Armed")

    row.get_by_role("button", name="Delete alert: INFY above ₹99,999.00").click()
    confirm = page.get_by_role("dialog", name="Delete alert?")
    confirm.get_by_role("button", name="Delete alert").click()
    expect(page.get_by_text("No alerts yet.")).to_be_visible()
