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
        f"{'description':56} {'ver':4} {'ops':>5} {'checked':>8} {'conformant':>10} "
        f"{'bad ex.':>7} {'load s':>7}  judge"
    )
    total_checked = total_ok = total_examples = 0
    for o in sorted(OUTCOMES, key=lambda o: o.description):
        ok = o.checked - len(o.failures) - len(o.publisher_examples)
        total_checked += o.checked
        total_ok += ok
        total_examples += len(o.publisher_examples)
        write(
            f"{o.description:56} {o.version:4} {o.operations:5} {o.checked:8} {ok:10} "
            f"{len(o.publisher_examples):7} {o.load_seconds:7.2f}  {o.judge}"
        )
    share = 100 * total_ok / total_checked if total_checked else 100.0
    write(
        f"{'total':56} {'':4} {'':5} {total_checked:8} {total_ok:10} {total_examples:7}  "
        f"({share:.2f}% conformant)"
    )
    write("'bad ex.': the answer is the publisher's own example, which the judge finds invalid")
    write("against the publisher's own schema (mockproxy check lists these at load).")
