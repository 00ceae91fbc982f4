"""Turn an ``EmailType`` plus a context mapping into subject, plain-text and HTML bodies.

One module-level Jinja2 environment serves every render. HTML templates
(``*.html.j2``) are autoescaped; text templates and subject strings are not, since
they are never interpreted as markup. Undefined variables raise instead of
rendering blank, so a template/context mismatch fails loudly in tests.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Template,
    Undefined,
    select_autoescape,
)

from domain.mail.catalog import (
    OPTIONAL_CONTEXT,
    PREFERENCE_LABELS,
    REQUIRED_CONTEXT,
    SPECS,
    EmailType,
)

TEMPLATE_DIR = Path(__file__).with_name("templates")

#: Shown by the ``inr``/``pct`` filters when a figure is unavailable (None).
MISSING_FIGURE = "—"

_CENT = Decimal("0.01")


class MissingContext(ValueError):
    """The caller left out context keys that the email's templates need."""

    def __init__(self, email_type: EmailType, missing: list[str]) -> None:
        self.email_type = email_type
        self.missing = tuple(missing)
        super().__init__(f"{email_type} email is missing context: {', '.join(self.missing)}")


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def _to_decimal(value: float | Decimal) -> Decimal:
    # str() first so a float like 2.675 rounds as written, not as its binary expansion.
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise TypeError(f"expected a number, got {type(value).__name__}")
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if not number.is_finite():
        raise ValueError(f"cannot format non-finite number {value!r}")
    return number.quantize(_CENT, rounding=ROUND_HALF_UP)


def _sign(number: Decimal, signed: bool) -> str:
    if number < 0:
        return "-"
    return "+" if signed and number > 0 else ""


def _group_indian(digits: str) -> str:
    """Lakh/crore grouping: the last three digits, then pairs (12,34,567)."""
    head, tail = digits[:-3], digits[-3:]
    groups = [tail]
    while head:
        groups.insert(0, head[-2:])
        head = head[:-2]
    return ",".join(groups)


def format_inr(value: float | Decimal, *, signed: bool = False) -> str:
    """Rupees with two decimals and Indian grouping: 1234567.891 -> "₹12,34,567.89".

    Negatives read "-₹50.00"; ``signed=True`` also prefixes gains with "+", which
    suits P&L figures. Amounts that round to zero never carry a sign.
    """
    number = _to_decimal(value)
    whole, _, paise = f"{abs(number):.2f}".partition(".")
    return f"{_sign(number, signed)}₹{_group_indian(whole)}.{paise}"


def format_pct(value: float | Decimal) -> str:
    """Percentage points, always signed unless zero: 4.8312 -> "+4.83%", -0.5 -> "-0.50%"."""
    number = _to_decimal(value)
    return f"{_sign(number, signed=True)}{abs(number):.2f}%"


def _check_defined(value: Any) -> None:
    # Filters receive StrictUndefined unevaluated; str() makes it raise an UndefinedError
    # naming the missing key instead of a vague TypeError further down.
    if isinstance(value, Undefined):
        str(value)


def _inr_filter(value: Any, signed: bool = False) -> str:
    _check_defined(value)
    return MISSING_FIGURE if value is None else format_inr(value, signed=signed)


def _pct_filter(value: Any) -> str:
    _check_defined(value)
    return MISSING_FIGURE if value is None else format_pct(value)


_ENV = Environment(
    loader=FileSystemLoader(TEMPLATE_DIR),
    autoescape=select_autoescape(["html.j2"], default_for_string=False, default=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters["inr"] = _inr_filter
_ENV.filters["pct"] = _pct_filter


@cache
def _subject_template(email_type: EmailType) -> Template:
    return _ENV.from_string(SPECS[email_type].subject)


def _context_for(email_type: EmailType, context: Mapping[str, Any]) -> dict[str, Any]:
    preference = SPECS[email_type].preference
    values: dict[str, Any] = dict.fromkeys(OPTIONAL_CONTEXT[email_type])
    values["preferences_url"] = str(context["app_url"]).rstrip("/") + "/settings"
    values.update(context)
    # Derived from the catalogue so the footer can never contradict the real opt-out rule.
    values["email_type"] = str(email_type)
    values["email_preference"] = preference
    values["preference_label"] = PREFERENCE_LABELS.get(preference) if preference else None
    return values


def render(email_type: EmailType | str, context: Mapping[str, Any]) -> RenderedEmail:
    """Render one email.

    ``context`` must hold ``REQUIRED_CONTEXT[email_type]``; nullable keys listed in
    ``OPTIONAL_CONTEXT`` may be omitted. ``preferences_url`` defaults to
    ``<app_url>/settings``. The subject is collapsed onto a single line so user data
    cannot inject extra mail headers.
    """
    email_type = EmailType(email_type)
    missing = sorted(key for key in REQUIRED_CONTEXT[email_type] if key not in context)
    if missing:
        raise MissingContext(email_type, missing)

    values = _context_for(email_type, context)
    subject = " ".join(_subject_template(email_type).render(values).split())
    text = _ENV.get_template(f"{email_type}.txt.j2").render(values)
    html = _ENV.get_template(f"{email_type}.html.j2").render(values)
    return RenderedEmail(
        subject=subject,
        text=re.sub(r"\n{3,}", "\n\n", text).strip() + "\n",
        html=html.strip() + "\n",
    )
