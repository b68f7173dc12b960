"""The Chapter 7 explorer over the committed memory sweep (lrnn.widgets.memory_runs)."""

import csv
import json
import re
from pathlib import Path

import numpy as np
import pytest

from lrnn import widgets
from lrnn.experiments import result
from lrnn.widgets.memory_runs import memory_settings


@pytest.fixture(scope="module")
def runs():
    return json.loads(result("memory", "results/runs.json").read_text(encoding="utf-8"))["runs"]


@pytest.fixture(scope="module")
def explorer(runs):
    return widgets.memory_runs_explorer(runs)


def test_every_run_is_in_exactly_one_setting_and_lag(runs):
    settings = memory_settings(runs)
    shown = [r["id"] for by_lag in settings.values() for group in by_lag.values() for r in group]
    assert sorted(shown) == sorted(r["id"] for r in runs)
    for by_lag in settings.values():  # one configuration a setting and lag: seeds differ, nothing else
        for group in by_lag.values():
            assert len({r["seed"] for r in group}) == len(group)
            same = {k for k in group[0] if not isinstance(group[0][k], list | dict) and k not in ("id", "group")}
            config = ("task", "cell", "lag", "clip", "optimizer", "lr", "d_s", "steps", "batch")
            assert all(all(r[k] == group[0][k] for k in config if k in same) for r in group)
            assert all(r["init"] == group[0]["init"] for r in group)


def test_the_sentence_counts_what_summary_csv_counts(runs, explorer):
    """Successes and seeds of every frame agree with the sweep's own summary.csv."""
    summary = Path(__file__).resolve().parents[1] / "experiments" / "memory" / "results" / "summary.csv"
    with open(summary, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    settings = memory_settings(runs)
    checked = 0
    for name, by_lag in settings.items():
        for lag, group in by_lag.items():
            view = explorer.view(setting=name, lag=lag)
            r = group[0]
            clip = "" if r["clip"] is None else f"{r['clip']:g}"
            match = [
                row
                for row in rows
                if (row["task"], row["cell"], row["lag"], row["optimizer"])
                == (r["task"], r["cell"], str(lag), r["optimizer"])
                and json.loads(row["init"].replace("'", '"')) == (r["init"] or {})
                and (row["clip"] and f"{float(row['clip']):g}") == (clip or "")
                and row["group"] in {x["group"] for x in group}  # copy and copy_wide differ in size only
            ]
            total = (sum(int(row["seeds"]) for row in match), sum(int(row["successes"]) for row in match))
            assert total == (view.values["seeds"], view.values["successes"]), (name, lag)
            assert view.values["lag"] == lag
            assert view.text.startswith(
                f"T = {lag}: {view.values['successes']} of {view.values['seeds']} seeds succeed"
            )
            checked += 1
    assert checked == sum(len(by_lag) for by_lag in settings.values()) >= 40


def test_a_lag_the_setting_did_not_run_shows_the_nearest_and_says_so(runs, explorer):
    settings = memory_settings(runs)
    name = next(n for n, by_lag in settings.items() if min(by_lag) >= 100)
    view = explorer.view(setting=name, lag=10)
    assert view.values["lag"] == 100 and "did not run at T = 10" in view.text


def test_every_frame_draws_finite_curves_a_seed_and_the_guides(explorer):
    for combo in explorer.grid():
        view = explorer.view(**dict(zip(("setting", "lag"), combo)))
        loss, norm = view.panels
        seeds = view.values["seeds"]
        assert len(loss.series) == seeds + 2 and loss.logy and norm.logy
        assert [s.label for s in loss.series[-2:]] == ["memoryless baseline", "success threshold"]
        for s in loss.series + norm.series:
            assert len(s.x) == len(s.y) >= 2 and np.all(np.isfinite(s.y)) and np.all(np.asarray(s.y) > 0)
        failures = sum("(fails)" in s.label for s in loss.series)
        assert failures == seeds - view.values["successes"]
        steps = re.search(r"after ([\d, and]+) updates", view.text)
        if view.values["successes"]:
            assert [int(x.replace(",", "")) for x in re.findall(r"[\d,]+\d|\d", steps.group(1))] == view.values[
                "steps_to_success"
            ]


def test_the_page_stores_only_the_lags_each_setting_ran(runs, explorer):
    """A frame for every (setting, lag) the sweep ran; every other point of the grid shows the frame of
    the setting's nearest lag under its own sentence, which says so."""
    settings = memory_settings(runs)
    data = explorer.static_data()
    assert len(data["frames"]) == sum(len(by_lag) for by_lag in settings.values())
    assert len(data["index"]) == len(explorer.grid())
    for (name, lag), e in zip(explorer.grid(), data["index"]):
        ran = lag in settings[name]
        assert isinstance(e, int) == ran, (name, lag)
        if not ran:
            assert e[1] == explorer.view(setting=name, lag=lag).text and "did not run at T = " in e[1]


def test_static_face_stays_small(explorer):
    # 0.44 MB when the page stored every setting at every lag of the sweep; 0.26 MB with only the lags each
    # ran, the Augmented LSTM's copy runs included
    assert len(explorer.static_html()) < 300_000


def test_bad_runs_get_a_clear_error(runs):
    with pytest.raises(ValueError, match=r"runs = list of length 0: expected the non-empty list"):
        widgets.memory_runs_explorer([])
    broken = [dict(runs[0])]
    del broken[0]["val_loss"]
    with pytest.raises(ValueError, match=r"runs\[0\] lacks val_loss"):
        widgets.memory_runs_explorer(broken)
