"""Imports every slice's models so the metadata (and Alembic) sees all tables."""

from domain import system as system_models  # noqa: F401
from domain.accounts import models as accounts_models  # noqa: F401
from domain.admin import models as admin_models  # noqa: F401
from domain.alerts import models as alerts_models  # noqa: F401
from domain.charts import models as charts_models  # noqa: F401
from domain.chat import models as chat_models  # noqa: F401
from domain.db.base import Base
from domain.jobs import models as jobs_models  # noqa: F401
from domain.limits import models as limits_models  # noqa: F401
from domain.mail import models as mail_models  # noqa: F401
from domain.portfolio import models as portfolio_models  # noqa: F401
from domain.reports import settings as report_settings  # noqa: F401

metadata = Base.metadata
