"""bench/results.json and the results table in BENCHMARKS.md."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from bench.harness import ROOT

RESULTS = ROOT / "bench" / "results.json"
BENCHMARKS = ROOT / "BENCHMARKS.md"
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"


def load() -> dict[str, Any]:
    if RESULTS.exists():
        return json.loads(RESULTS.read_text())
    return {"results": {}}


def save(data: dict[str, Any]) -> None:
    RESULTS.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    text = BENCHMARKS.read_text() if BENCHMARKS.exists() else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    if BEGIN not in text or END not in text:
        text += f"\n{BEGIN}\n{END}\n"
    section = f"{BEGIN}\n{table(data)}{END}"
    BENCHMARKS.write_text(re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: section, text, flags=re.S))


def _number(x: float) -> str:
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.3g}"


def table(data: dict[str, Any]) -> str:
    m = data.get("machine", {})
    lines = [
        f"Measured {data.get('measured_at', '?')} by `make bench` in {data.get('wall_seconds', 0):.0f} s "
        f"on {m.get('cores', '?')} cores ({m.get('cpu', '?')}, {m.get('memory_gb', '?')} GB), "
        f"Python {m.get('python', '?')}, temporalio {m.get('temporalio', '?')}, "
        f"dev server: temporal CLI {m.get('dev_server', '?')}, "
        f"time-skipping server {m.get('time_skipping_server', '?')}. "
        f"Load average (1, 5, 15 min) before {m.get('load_average_before', '?')}, after {m.get('load_average_after', '?')}: "
        "other work on the machine slows every figure, and the ratios much less than the rest.",
        "",
        *(
            [
                "Measured again since with `--only`: "
                + "; ".join(
                    f"`{k}` at {v['at']} (load average before {v['load_average_before']}, after {v['load_average_after']})"
                    for k, v in data["remeasured"].items()
                )
                + ".",
                "",
            ]
            if data.get("remeasured")
            else []
        ),
        "| figure | value | baseline | ratio | target | result |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for key, r in data["results"].items():
        verdict = {True: "pass", False: "**miss**", None: "—"}[r["pass"]]
        lines.append(
            f"| `{key}` | {_number(r['value'])} {r['unit']} | {_number(r['baseline'])} {r['baseline_unit']} "
            f"({r['baseline_what']}) | {r['ratio']:.2f} | {r['target'] or '—'} | {verdict} |"
        )
    lines += ["", "Details (all in `bench/results.json`):", ""]
    for key, r in data["results"].items():
        details = ", ".join(f"{k} {v}" for k, v in r["details"].items())
        lines.append(f"- `{key}`: {details}")
    return "\n".join(lines) + "\n"


def record(figures: list[Any], machine: dict[str, Any], wall_seconds: float, *, replace: bool) -> dict[str, Any]:
    """Merge (``--only``) or replace (a full run) the stored results, then write both files."""
    data = {"results": {}} if replace else load()
    results = data.get("results", {})
    for figure in figures:
        results[figure.key] = figure.as_json()
    order = [
        "start_ratio",
        "answers_ratio",
        "answer_latency_p95",
        "replies_ratio",
        "intake_replies_ratio",
        "simulate_ratio",
        "simulate_s_per_pair",
        "history_events_max",
        "history_bytes_max",
        "rss_mb_per_1000_pairs",
        "wake_latency_ratio",
        "email_ratio",
    ]
    data["results"] = {k: results[k] for k in sorted(results, key=lambda k: (order + [k]).index(k))}
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if replace or "machine" not in data:
        data["machine"] = machine
        data["measured_at"] = now
        data["wall_seconds"] = round(wall_seconds, 1)
        data["remeasured"] = {}
    else:
        # --only: the full run's machine line stays; say what was measured again, when.
        for figure in figures:
            data.setdefault("remeasured", {})[figure.key] = {
                "at": now,
                "load_average_before": machine.get("load_average_before"),
                "load_average_after": machine.get("load_average_after"),
            }
    save(data)
    return data
