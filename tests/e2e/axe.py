"""axe-core in the browser: the serious and critical findings of WCAG 2.2 A and AA rules."""

import json
import os
from pathlib import Path

import pytest

AXE = Path(
    os.environ.get("AXE_CORE_PATH") or Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
)


def axe_findings(page) -> list[dict]:
    """Serious and critical axe findings on the page as it is, WCAG 2.2 A and AA rules."""
    if not AXE.exists():
        why = f"axe-core is missing at {AXE} (npm install --no-audit --no-fund)"
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    page.add_script_tag(content=AXE.read_text())
    result = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"""
    )
    return [
        {"rule": v["id"], "impact": v["impact"], "targets": [json.dumps(n["target"]) for n in v["nodes"]]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
