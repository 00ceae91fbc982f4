"""Five-field cron expressions, read in one fixed timezone (IST for our jobs).

Fields are minute, hour, day of month, month, day of week (0 or 7 is Sunday);
each is `*`, a number, a range `a-b` or a list `a,b`, with an optional step
`/n`. As in Vixie cron, when both day fields are restricted a day matching
either one is due. Names (`mon`, `@daily`) are not accepted: the job catalogue
is the only caller and spells everything in numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo

IST = timezone(timedelta(hours=5, minutes=30), "IST")  # India keeps no DST
# next_after gives up after this many days: longer than any cron's cycle.
_SEARCH_DAYS = 5 * 366
_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))


def _field(text: str, low: int, high: int) -> frozenset[int]:
    values: set[int] = set()
    for part in text.split(","):
        span, _, step = part.partition("/")
        start, end = (low, high) if span == "*" else _bounds(span)
        if not low <= start <= end <= high or (step and int(step) < 1):
            raise ValueError(f"cron field {text!r} is outside {low}-{high}")
        values.update(range(start, end + 1, int(step or 1)))
    return frozenset(values)


def _bounds(span: str) -> tuple[int, int]:
    start, _, end = span.partition("-")
    return int(start), int(end or start)


@dataclass(frozen=True)
class Cron:
    text: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 is Sunday
    days_restricted: bool
    weekdays_restricted: bool

    @classmethod
    def parse(cls, text: str) -> Cron:
        fields = text.split()
        if len(fields) != 5:
            raise ValueError(f"cron {text!r} needs five fields")
        parsed = [_field(f, low, high) for f, (low, high) in zip(fields, _RANGES, strict=True)]
        weekdays = frozenset(d % 7 for d in parsed[4])
        return cls(text, *parsed[:4], weekdays, fields[2] != "*", fields[4] != "*")  # type: ignore[arg-type]

    def day_matches(self, day: date) -> bool:
        if day.month not in self.months:
            return False
        in_month = day.day in self.days
        in_week = (day.weekday() + 1) % 7 in self.weekdays
        if self.days_restricted and self.weekdays_restricted:
            return in_month or in_week
        return in_month and in_week

    def matches(self, at: datetime, tz: tzinfo = IST) -> bool:
        """True when `at`'s minute, read in `tz`, is one the cron names."""
        local = at.astimezone(tz)
        return (
            local.minute in self.minutes
            and local.hour in self.hours
            and self.day_matches(local.date())
        )

    def next_after(self, after: datetime, tz: tzinfo = IST) -> datetime:
        """The first due minute strictly after `after`, as an aware time in `tz`."""
        start = after.astimezone(tz).replace(second=0, microsecond=0) + timedelta(minutes=1)
        day = start.date()
        slots = [time(h, m) for h in sorted(self.hours) for m in sorted(self.minutes)]
        for _ in range(_SEARCH_DAYS):
            if self.day_matches(day):
                for slot in slots:
                    candidate = datetime.combine(day, slot, tz)
                    if candidate >= start:
                        return candidate
            day += timedelta(days=1)
        raise ValueError(f"cron {self.text!r} is never due")


def format_ist(at: datetime | None) -> str:
    """`at` for people, in IST: "3 Dec 2026, 15:30 IST"; "unknown" for None."""
    if at is None:
        return "unknown"
    local = at.astimezone(IST)
    return f"{local.day} {local:%b %Y, %H:%M} IST"
