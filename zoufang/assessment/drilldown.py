"""Where each figure comes from: the filtered list of records behind an indicator."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.http import urlencode

from .models import Source

VISIT_FILTERS: dict[str, dict[str, str]] = {
    Source.VISITS_PER_OFFICER: {},
    Source.KEY_PERSON_VISITS: {"target_type": "key_person"},
    Source.HARDSHIP_VISITS: {"target_type": "hardship_household"},
    Source.ENTERPRISE_VISITS: {"target_type": "enterprise"},
    Source.ONLINE_SHARE: {"channel": "wechat"},
    Source.RETURN_VISIT_RATE: {"is_return_visit": "1"},
}
OPINION_FILTERS: dict[str, dict[str, str]] = {
    Source.TIMELY_ACCEPTANCE: {},
    Source.ON_TIME_COMPLETION: {},
    Source.REPLY_RATE: {},
    Source.SATISFACTION: {"status": "closed"},
    Source.REOPEN_RATE: {"status": "reopened"},
    Source.RATING_RATE: {"status": "replied"},
    Source.OVERDUE_OPINIONS: {"overdue": "1"},
}


def records_url(
    source: str, *, unit_code: str, since: datetime.date, until: datetime.date, campaign_slug: str
) -> str:
    """The page listing the records an indicator's figure was computed from."""
    if source in VISIT_FILTERS:
        query = {
            "unit": unit_code,
            "since": since.isoformat(),
            "until": until.isoformat(),
            **VISIT_FILTERS[source],
        }
        return reverse("ledger:visit_list") + "?" + urlencode(query)
    if source in OPINION_FILTERS:
        return (
            reverse("opinions:opinion_list")
            + "?"
            + urlencode({"unit": unit_code, **OPINION_FILTERS[source]})
        )
    if source == Source.BULLETINS_ADOPTED:
        return "/bulletins/?" + urlencode({"unit": unit_code})
    if source in (Source.TASKS_ON_TIME, Source.MEETINGS):
        name = (
            "campaigns:campaign_detail"
            if source == Source.TASKS_ON_TIME
            else "campaigns:meeting_list"
        )
        return reverse(name, args=[campaign_slug])
    if source == Source.INSPECTION_DEDUCTIONS:
        return reverse("inspections:inspection_list")
    if source in (Source.SURVEY_SATISFACTION, Source.SURVEY_SECURITY):
        return reverse("opinions:survey_results")
    if source == Source.SERVICES_HANDLED:
        return reverse("assessment:service_list") + "?" + urlencode({"unit": unit_code})
    return ""
