"""Collects each description's outcome and prints the conformance table at the end."""

from __future__ import annotations

from typing import Any

from tests.conformance.harness import Outcome

OUTCOMES: list[Outcome] = []


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not OUTCOMES:
        return
    write = terminalreporter.write_line
    write("")
    write("conformance: every documented response asked of the mock, judged independently")
    write(
        f"{'description':36} {'ver':4} {'ops':>5} {'checked':>8} {'conformant':>10} {'load s':>7}  judge"
    )
    total_checked = total_ok = 0
    for o in sorted(OUTCOMES, key=lambda o: o.description):
        ok = o.checked - len(o.failures)
        total_checked += o.checked
        total_ok += ok
        write(
            f"{o.description:36} {o.version:4} {o.operations:5} {o.checked:8} {ok:10} {o.load_seconds:7.2f}  {o.judge}"
        )
    share = 100 * total_ok / total_checked if total_checked else 100.0
    write(f"{'total':36} {'':4} {'':5} {total_checked:8} {total_ok:10}  ({share:.2f}% conformant)")
