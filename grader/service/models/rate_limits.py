"""Rate-limit counters: one row per limit, client and window, shared by every server process.

``grader.service.rate_limit_storage`` keeps Flask-Limiter's fixed-window counters here, in the
database every gunicorn worker and server already shares, so a limit holds across all of them.
"""

from __future__ import annotations

from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from grader.service.models.base import Base


class RateLimitCounter(Base):
    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer)
    # Seconds since the epoch (time.time()), as Flask-Limiter's storages report expiry.
    expires_at: Mapped[float] = mapped_column(Float, index=True)

    def __repr__(self) -> str:
        return f"RateLimitCounter({self.key!r}, {self.hits})"
