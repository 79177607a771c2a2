"""Presenting an evaluation: a terminal table, and a self-contained HTML report with SVG plots."""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from reward_service.evaluate import problem_of
from reward_service.metrics import TaskSummary

if TYPE_CHECKING:
    from reward_service.filtering import FilterSummary

_WIDTH, _HEIGHT, _MARGIN = 520, 260, 40


def summary_rows(summary: dict[str, TaskSummary]) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the summary table: one column per task, one row per metric."""
    # With one task, "overall" is the same summary: one column says it.
    tasks = [task for task in summary if not (task == "overall" and len(summary) == 2)]
    metrics: dict[str, list[str]] = defaultdict(lambda: [""] * len(tasks))
    for column, task in enumerate(tasks):
        for name, value in summary[task].as_dict().items():
            if name == "reasons":
                for reason, count in value.items():
                    metrics[f"reason: {reason}"][column] = str(count)
            else:
                metrics[name][column] = _format(value)
    return ["metric", *tasks], [[name, *values] for name, values in metrics.items()]


def render_table(summary: dict[str, TaskSummary]) -> str:
    """The summary as an aligned plain-text table."""
    header, rows = summary_rows(summary)
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def render_html(summary: dict[str, TaskSummary], records: Sequence[dict], title: str) -> str:
    """A single HTML file: the summary table, pass@k and cons@k against k, the distribution of
    per-problem accuracy, and the distribution of rewards. No scripts, no external files."""
    header, rows = summary_rows(summary)
    table = "<table><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in header) + "</tr>"
    for row in rows:
        table += "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>"
    table += "</table>"

    overall = summary["overall"]
    curves = {"pass@k": overall.pass_at, "cons@k": overall.cons_at}
    per_problem: dict[str, list[float]] = defaultdict(list)
    rewards = []
    for record in records:
        result = record["result"]
        if result["scores"]["accuracy"] is not None:
            per_problem[problem_of(record)].append(result["scores"]["accuracy"])
        if result["reward"] is not None:
            rewards.append(result["reward"])
    accuracies = [sum(values) / len(values) for values in per_problem.values()]
    plots = [
        _line_plot("pass@k and cons@k against k", curves),
        _histogram("Per-problem accuracy", accuracies, "accuracy", "problems"),
        _histogram("Reward distribution", rewards, "reward", "items"),
    ]
    return _page(title, table, plots)


def render_filter_table(summary: FilterSummary) -> str:
    """A filter run's summary as plain text."""
    lines = [
        f"prompts {summary.prompts}, samples {summary.samples}, accepted {summary.accepted}, "
        f"prompts with none accepted {len(summary.prompts_without)}",
        "accepted per prompt: "
        + ", ".join(f"{k}: {n}" for k, n in sorted(summary.accepted_per_prompt.items())),
        "rejections:",
    ]
    width = max((len(reason) for reason in summary.reasons), default=0)
    lines += [f"  {r.ljust(width)}  {n}" for r, n in summary.reasons.most_common()]
    return "\n".join(lines)


def render_filter_html(summary: FilterSummary, title: str) -> str:
    """A filter run's report: the counts, the accepted-per-prompt distribution, the rejection
    reasons, and the prompts with none accepted (worth more sampling)."""
    rows = [
        ("prompts", summary.prompts),
        ("samples", summary.samples),
        ("accepted", summary.accepted),
        ("prompts with none accepted", len(summary.prompts_without)),
    ]
    table = "<table>" + "".join(
        f"<tr><td>{html.escape(name)}</td><td>{value}</td></tr>" for name, value in rows
    )
    table += "</table>"
    per_prompt = {str(k): n for k, n in sorted(summary.accepted_per_prompt.items())}
    plots = [
        _bars("Accepted responses per prompt", per_prompt, "accepted", "prompts"),
        _bars("Rejections by reason", dict(summary.reasons.most_common()), "reason", "responses"),
    ]
    hard = "".join(f"<li>{html.escape(p)}</li>" for p in summary.prompts_without[:1000])
    plots.append(f"<h2>Prompts with none accepted</h2><ul>{hard}</ul>")
    return _page(title, table, plots)


def _page(title: str, table: str, plots: list[str]) -> str:
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; color: #222; }}
table {{ border-collapse: collapse; margin-bottom: 2rem; }}
th, td {{ border: 1px solid #ccc; padding: 0.3rem 0.7rem; text-align: right; }}
th:first-child, td:first-child {{ text-align: left; }}
figure {{ display: inline-block; margin: 0 1.5rem 1.5rem 0; }}
svg text {{ font-size: 11px; fill: #333; }}
</style></head><body>
<h1>{html.escape(title)}</h1>
{table}
{"".join(plots)}
</body></html>
"""


def _bars(title: str, counts: dict[str, int], x_label: str, y_label: str) -> str:
    top = max(counts.values(), default=0) or 1
    body = _axes(x_label, y_label)
    width = (_WIDTH - 2 * _MARGIN) / max(1, len(counts))
    for index, (label, count) in enumerate(counts.items()):
        height = (_HEIGHT - 2 * _MARGIN) * count / top
        x = _MARGIN + index * width
        y = _HEIGHT - _MARGIN - height
        body += (
            f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{width - 2:.1f}" height="{height:.1f}" '
            f'fill="#4c78a8"><title>{html.escape(label)}: {count}</title></rect>'
            f'<text x="{x + width / 2:.1f}" y="{_HEIGHT - _MARGIN + 14}" text-anchor="middle">'
            f"{html.escape(label[:14])}</text>"
        )
    body += f'<text x="{_MARGIN}" y="{_MARGIN - 8}">max {top}</text>'
    return _figure(title, body)


def _line_plot(title: str, curves: dict[str, dict[int, float]]) -> str:
    ks = sorted({k for curve in curves.values() for k in curve})
    body = _axes("k", "rate")
    if ks:
        colours = ["#1f77b4", "#d62728"]
        for (name, curve), colour in zip(curves.items(), colours, strict=False):
            points = [(_x(ks.index(k), len(ks)), _y(curve[k])) for k in ks if k in curve]
            if not points:
                continue
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            body += f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>'
            body += "".join(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in points
            )
            legend_y = _MARGIN + 14 * list(curves).index(name)
            body += f'<text x="{_WIDTH - 90}" y="{legend_y}" fill="{colour}">{name}</text>'
        for index, k in enumerate(ks):
            x, y = _x(index, len(ks)), _HEIGHT - _MARGIN + 14
            body += f'<text x="{x:.1f}" y="{y}" text-anchor="middle">{k}</text>'
    return _figure(title, body)


def _histogram(
    title: str, values: Sequence[float], x_label: str, y_label: str, bins: int = 10
) -> str:
    counts = [0] * bins
    for value in values:
        counts[min(bins - 1, max(0, int(value * bins)))] += 1
    top = max(counts) or 1
    body = _axes(x_label, y_label)
    width = (_WIDTH - 2 * _MARGIN) / bins
    for index, count in enumerate(counts):
        height = (_HEIGHT - 2 * _MARGIN) * count / top
        x = _MARGIN + index * width
        y = _HEIGHT - _MARGIN - height
        tip = f"{index / bins:.1f}-{(index + 1) / bins:.1f}: {count}"
        body += (
            f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{width - 2:.1f}" height="{height:.1f}" '
            f'fill="#4c78a8"><title>{tip}</title></rect>'
        )
    body += f'<text x="{_MARGIN}" y="{_MARGIN - 8}">max {top}</text>'
    return _figure(title, body)


def _axes(x_label: str, y_label: str) -> str:
    bottom, right = _HEIGHT - _MARGIN, _WIDTH - _MARGIN
    return (
        f'<line x1="{_MARGIN}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#333"/>'
        f'<line x1="{_MARGIN}" y1="{_MARGIN}" x2="{_MARGIN}" y2="{bottom}" stroke="#333"/>'
        f'<text x="{right}" y="{_HEIGHT - 6}" text-anchor="end">{x_label}</text>'
        f'<text x="6" y="{_MARGIN - 8}">{y_label}</text>'
    )


def _figure(title: str, body: str) -> str:
    return (
        f"<figure><figcaption>{html.escape(title)}</figcaption>"
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{_HEIGHT}" '
        f'role="img" aria-label="{html.escape(title)}">{body}</svg></figure>'
    )


def _x(index: int, count: int) -> float:
    span = _WIDTH - 2 * _MARGIN
    return _MARGIN + (span * index / (count - 1) if count > 1 else span / 2)


def _y(value: float) -> float:
    return _HEIGHT - _MARGIN - (_HEIGHT - 2 * _MARGIN) * value


def _format(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)
