"""Fixtures for the printing tests."""

from __future__ import annotations

import pytest

from tests.printing.pdfs import bundled_settings
from village_desk.notices import NoticeSettings
from village_desk.village import VillageProfile


@pytest.fixture
def village() -> VillageProfile:
    return VillageProfile(
        name="小大歹",
        township="甘旗卡",
        supervision_phone="0475-5123456",
        complaint_phone="0475-5123457",
    )


@pytest.fixture
def settings() -> NoticeSettings:
    return bundled_settings()
