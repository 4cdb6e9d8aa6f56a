"""`zoufang figures --campaign SLUG --phase SLUG [--unit CODE] [--cumulative] --json`: the
figure registry's values for a unit's subtree (the city by default)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from zoufang.campaigns.models import Campaign, Phase
from zoufang.figures.selectors import city_unit, figure_values, figures_json, phase_period
from zoufang.org.models import Unit
from zoufang.org.scope import SYSTEM


class Command(BaseCommand):
    help = (
        "Print the figures of the registry for a unit's subtree (the city by default) in a "
        "phase, or with --cumulative from the campaign's first day to the phase's last."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--campaign", required=True)
        parser.add_argument("--phase", required=True)
        parser.add_argument("--unit", help="a unit's code (default: the city)")
        parser.add_argument(
            "--cumulative", action="store_true", help="since the campaign began (累计)"
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        stage = _phase(options["campaign"], options["phase"])
        unit = _unit(options["unit"])
        since, until = phase_period(stage, cumulative=options["cumulative"])
        values = figure_values(user=SYSTEM, since=since, until=until, unit=unit)
        result = figures_json(values, unit=unit, since=since, until=until)
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        self.stdout.write(f"{result['unit']} {since} – {until}")
        for code, figure in result["figures"].items():
            value = "—" if figure["value"] is None else figure["value"]
            self.stdout.write(f"{code:<22} {figure['label']:<16} {value} {figure['unit']}")


def _phase(campaign: str, phase: str) -> Phase:
    found = Campaign.objects.filter(slug=campaign).first()
    if found is None:
        raise CommandError(f"No campaign {campaign!r}", returncode=2)
    stage = Phase.objects.filter(campaign=found, slug=phase).select_related("campaign").first()
    if stage is None:
        raise CommandError(f"No phase {phase!r} in {campaign!r}", returncode=2)
    return stage


def _unit(code: str | None) -> Unit:
    unit = Unit.objects.filter(code=code).first() if code else city_unit()
    if unit is None:
        raise CommandError(f"No unit {code!r}" if code else "No units yet", returncode=2)
    return unit
