"""Apply migrations and create the admin against configured servers (containers,
production). Prints a generated admin password once, when it creates the admin.
"""

from __future__ import annotations

import os

from scripts.bootstrap import migrate, seed_admin


def main() -> None:
    migrate()
    generated = seed_admin()
    if generated:
        email = os.environ.get("ADMIN_EMAIL", "admin@kubera.local")
        print(f"Created admin {email} with password: {generated}  (shown once)")


if __name__ == "__main__":
    main()
