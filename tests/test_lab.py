"""The live face of every explorer, in a real JupyterLab driven by headless Chromium.

One notebook holds every explorer, a cell each, run in one kernel and one browser page (as a reader
runs a chapter); the test then works each explorer's slider in that page."""

import json
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

import lrnn.widgets

pytestmark = pytest.mark.browser
EXPLORERS = [name for name in lrnn.widgets.__all__ if name.endswith("_explorer")]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab")
    cells = [
        {
            "cell_type": "code",
            "metadata": {},
            "outputs": [],
            "execution_count": None,
            "id": f"c{i}",
            "source": f"from lrnn import widgets\nwidgets.{name}()",
        }
        for i, name in enumerate(EXPLORERS)
    ]
    nb = {
        "cells": cells,
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (root / "explorers.ipynb").write_text(json.dumps(nb))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        f"--port={port}",
        "--ip=127.0.0.1",
        "--allow-root",
        "--ServerApp.token=",
        "--ServerApp.password=",
        f"--ServerApp.root_dir={root}",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{url}/api/status", timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("JupyterLab did not start")
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def tmp_shot(name):
    from pathlib import Path

    shots = Path(__file__).resolve().parents[1] / "_build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    return shots / f"lab-{name}-failure.png"


def test_every_live_explorer_recomputes_in_the_kernel(browser, lab):  # no Chromium: skipped before JupyterLab starts
    """Each explorer, run in JupyterLab, draws its figure and sentence; its first slider, moved by the
    keyboard, has the kernel draw them again."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{lab}/lab/workspaces/explorers/tree/explorers.ipynb?reset", wait_until="domcontentloaded")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
    page.get_by_text("| Idle").wait_for(timeout=90_000)  # the kernel is up
    page.get_by_role("menuitem", name="Run").click()
    page.get_by_text("Run All Cells", exact=True).click()
    cells = page.locator(".jp-Notebook .jp-CodeCell")
    for i, name in enumerate(EXPLORERS):
        cell = cells.nth(i)
        try:
            cell.locator(".jp-OutputArea img").first.wait_for(state="attached", timeout=90_000)
            cell.scroll_into_view_if_needed()
            text = cell.locator(".widget-html-content").last
            page.wait_for_function("el => el.innerText.length > 0", arg=text.element_handle(), timeout=30_000)
            before, image = text.inner_text(), cell.locator(".jp-OutputArea img").first.get_attribute("src")
            cell.locator(".noUi-handle").first.click()
            page.keyboard.press("End")
            changed = "([el, t]) => el.innerText !== t"
            page.wait_for_function(changed, arg=[text.element_handle(), before], timeout=30_000)
        except Exception as error:
            page.screenshot(path=str(tmp_shot(name)))
            raise AssertionError(f"{name}: {error}") from error
        assert cell.locator(".jp-OutputArea img").first.get_attribute("src") != image, f"{name}: figure not redrawn"
    page.close()
