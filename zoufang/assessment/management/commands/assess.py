"""`zoufang assess --campaign SLUG --phase SLUG [--json] [--publish]`: scores and rankings."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from zoufang.assessment.services import assess, assessment_publish, contract_shape
from zoufang.campaigns.models import Campaign, Phase
from zoufang.core.actors import SYSTEM


class Command(BaseCommand):
    help = "Compute the scores and rankings of a phase (ranked within each unit kind)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--campaign", required=True)
        parser.add_argument("--phase", required=True)
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--publish", action="store_true", help="freeze a published snapshot")

    def handle(
        self, *args: Any, campaign: str, phase: str, json: bool, publish: bool, **options: Any
    ) -> None:
        found = Campaign.objects.filter(slug=campaign).first()
        if found is None:
            raise CommandError(f"No campaign {campaign!r}")
        stage = Phase.objects.filter(campaign=found, slug=phase).first()
        if stage is None:
            raise CommandError(f"No phase {phase!r} in {campaign!r}")
        if publish:
            snapshot = assessment_publish(actor=SYSTEM, campaign=found, phase=stage)
            result = {
                key: snapshot.result[key] for key in ("campaign", "phase", "groups", "imbalance")
            }
            self.stderr.write(f"published version {snapshot.version}")
        else:
            result = contract_shape(assess(campaign=found, phase=stage))
        if json:
            self.stdout.write(_dumps(result))
            return
        for group in result["groups"]:
            self.stdout.write(f"== {group['kind']}")
            for row in group["ranking"]:
                flags = ",".join(row["flags"])
                line = f"{row['rank']:>4}  {row['score']:>7.2f}  {row['unit']:<8} {row['name']}"
                self.stdout.write(f"{line}  {flags}")
        balance = result["imbalance"]
        self.stdout.write(
            f"上冷下热: agencies {balance['agencies_per_officer']} vs grassroots "
            f"{balance['grassroots_per_officer']} visits per officer (ratio {balance['ratio']})"
        )


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)
