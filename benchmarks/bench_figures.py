"""What the site's figures weigh as they are shipped, at 2x, and as SVG with text as text.

Runs the chapters as the site's build does (``LRNN_STATIC_SITE=1``, phone layouts written by
``lrnn.viz.show``) with a hook on matplotlib's ``print_figure``: every figure drawn as a PNG
(the notebook's own output, and each phone layout) is drawn twice more, at twice its dpi and as
SVG with ``svg.fonttype: none`` (text kept as text, not outlines), and each form is weighed as
the site would ship it: a PNG after the site's 256-colour palette (``book/_ext/lrnn_site/assets.py``,
median cut, kept where smaller), an SVG as written (and gzipped, for reference: the weight budget
counts bytes on disk). Diagrams (``lrnn.viz`` ``DiagramFigure``) are SVG already and left out.

    .venv/bin/python benchmarks/bench_figures.py                 # every chapter (several minutes)
    .venv/bin/python benchmarks/bench_figures.py book/02_unrolling.ipynb
    .venv/bin/python benchmarks/bench_figures.py --log figures.jsonl --summary-only
    .venv/bin/python benchmarks/bench_figures.py --smoke   # one small figure, in this process

The per-figure log (JSON lines) can also be written while the site's notebooks run: set
``FIGURE_WEIGHTS_LOG`` and ``IPYTHONDIR`` to a directory whose ``profile_default/startup``
holds ``import sys; sys.path.insert(0, '<benchmarks>'); import bench_figures; bench_figures.install()``
(``--write-startup DIR`` writes it).
"""

from __future__ import annotations

import argparse
import gzip
import inspect
import io
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def palette_bytes(png: bytes) -> tuple[int, tuple[int, int], float]:
    """Bytes of ``png`` as the site ships it, its size in pixels and its dpi."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as im:
        size, dpi = im.size, float(im.info.get("dpi", (100, 100))[0])
        if im.mode == "P" or (im.mode in ("RGBA", "LA") and im.getchannel("A").getextrema()[0] < 255):
            return len(png), size, dpi
        small = im.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT)
    buf = io.BytesIO()
    small.save(buf, "PNG", optimize=True)
    return min(buf.tell(), len(png)), size, dpi


def install(log: str | None = None) -> None:
    """Hook ``FigureCanvasBase.print_figure``: log each PNG figure's weight in the three forms."""
    import matplotlib
    from matplotlib.backend_bases import FigureCanvasBase

    log = log or os.environ["FIGURE_WEIGHTS_LOG"]
    original = FigureCanvasBase.print_figure
    busy = [False]

    def hooked(self, filename, *args, **kwargs):
        out = original(self, filename, *args, **kwargs)
        if busy[0] or kwargs.get("format") != "png" or not isinstance(filename, io.BytesIO):
            return out
        busy[0] = True
        try:
            fig = self.figure
            role = "notebook"
            for frame in inspect.stack()[1:8]:
                if frame.function == "one_column":
                    role = "phone"
                    break
                if frame.function == "show" and frame.filename.endswith("panels.py"):
                    role = "phone" if frame.frame.f_locals.get("phone") is fig else "notebook"
                    break
            png1, size1, dpi = palette_bytes(filename.getvalue())
            kw = dict(kwargs)
            d = kwargs.get("dpi")
            kw["dpi"] = 2 * (d if isinstance(d, (int, float)) else fig.dpi)
            buf = io.BytesIO()
            original(self, buf, *args, **kw)
            png2, size2, _ = palette_bytes(buf.getvalue())
            kw = {k: v for k, v in kwargs.items() if k != "dpi"}
            kw["format"] = "svg"
            buf = io.BytesIO()
            with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "lrnn"}):
                original(self, buf, *args, **kw)
            svg = buf.getvalue()
            texts = [t for t in fig.findobj(matplotlib.text.Text) if t.get_visible() and t.get_text()]
            ticks = [t for ax in fig.axes for t in ax.get_xticklabels() + ax.get_yticklabels()]
            record = {
                "notebook": os.environ.get("FIGURE_WEIGHTS_NOTEBOOK", "?"),
                "role": role,
                "diagram": type(fig).__name__ == "DiagramFigure",
                "px": size1,
                "dpi": dpi,
                "png": png1,
                "png_2x": png2,
                "px_2x": size2,
                "svg": len(svg),
                "svg_gz": len(gzip.compress(svg, 9)),
                "smallest_text_pt": min((t.get_fontsize() for t in texts), default=None),
                "tick_pt": min((t.get_fontsize() for t in ticks if t.get_visible() and t.get_text()), default=None),
            }
        except Exception as e:  # a measurement never breaks a notebook
            record = {"notebook": os.environ.get("FIGURE_WEIGHTS_NOTEBOOK", "?"), "error": repr(e)}
        finally:
            busy[0] = False
        with open(log, "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")
        return out

    FigureCanvasBase.print_figure = hooked


def write_startup(ipython_dir: Path) -> None:
    startup = ipython_dir / "profile_default" / "startup"
    startup.mkdir(parents=True, exist_ok=True)
    here = str(Path(__file__).resolve().parent)
    (startup / "00-bench-figures.py").write_text(
        "import os, sys\n"
        "if os.environ.get('FIGURE_WEIGHTS_LOG'):\n"
        f"    sys.path.insert(0, {here!r})\n"
        "    import bench_figures\n"
        "    bench_figures.install()\n"
    )


def run(notebooks: list[Path], log: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        write_startup(tmp / "ipython")
        for nb in notebooks:
            env = dict(
                os.environ,
                IPYTHONDIR=str(tmp / "ipython"),
                FIGURE_WEIGHTS_LOG=str(log.resolve()),
                FIGURE_WEIGHTS_NOTEBOOK=nb.stem,
                LRNN_STATIC_SITE="1",
                LRNN_PHONE_FIGURES=str(tmp / "phone"),
                OPENBLAS_NUM_THREADS="1",
                OMP_NUM_THREADS="1",
            )
            print(f"running {nb.name}", flush=True)
            subprocess.run(
                [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                 "--output-dir", str(tmp / "out"), str(nb.resolve())],
                cwd=nb.parent, env=env, check=True, capture_output=True,
            )  # fmt: skip


def summary(log: Path) -> dict:
    rows = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]
    errors = [r for r in rows if "error" in r]
    rows = [r for r in rows if "error" not in r and not r["diagram"]]
    by = defaultdict(lambda: defaultdict(int))
    for r in rows:
        for key in ("png", "png_2x", "svg", "svg_gz"):
            by[r["notebook"], r["role"]][key] += r[key]
        by[r["notebook"], r["role"]]["figures"] += 1
        best = min(r["svg"], r["png_2x"])
        by[r["notebook"], r["role"]]["svg_or_2x_smaller"] += best
    total = defaultdict(lambda: defaultdict(int))
    for (_, role), v in by.items():
        for k, x in v.items():
            total[role][k] += x
    return {"errors": errors, "by_notebook": {f"{n} {r}": dict(v) for (n, r), v in sorted(by.items())},
            "total": {r: dict(v) for r, v in total.items()}}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("notebooks", nargs="*", type=Path)
    ap.add_argument("--log", type=Path, default=ROOT / "_build" / "figure-weights.jsonl")
    ap.add_argument("--summary-only", action="store_true")
    ap.add_argument("--write-startup", type=Path, help="write the IPython startup hook into this IPYTHONDIR")
    ap.add_argument("--smoke", action="store_true", help="weigh one small figure drawn here (a check that it runs)")
    args = ap.parse_args()
    if args.smoke:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        with tempfile.TemporaryDirectory() as tmp:
            args.log = Path(tmp) / "figures.jsonl"
            install(str(args.log))
            fig, ax = plt.subplots(figsize=(6.4, 3.4))
            ax.plot([0, 1, 4, 9])
            fig.savefig(io.BytesIO(), format="png", bbox_inches="tight")
            plt.close(fig)
            _print(summary(args.log))
        return
    if args.write_startup:
        write_startup(args.write_startup)
        return
    if not args.summary_only:
        notebooks = args.notebooks or sorted((ROOT / "book").glob("[01][0-9]_*.ipynb"))
        args.log.parent.mkdir(parents=True, exist_ok=True)
        args.log.write_text("")
        run(notebooks, args.log)
    _print(summary(args.log))


def _print(s: dict) -> None:
    print(f"{'notebook, role':40s} {'figures':>7s} {'PNG':>9s} {'PNG 2x':>9s} {'SVG':>9s} {'SVG gz':>9s}")
    for key, v in list(s["by_notebook"].items()) + [(f"TOTAL {r}", v) for r, v in s["total"].items()]:
        print(f"{key:40s} {v['figures']:7d} {v['png']:9,d} {v['png_2x']:9,d} {v['svg']:9,d} {v['svg_gz']:9,d}")
    if s["errors"]:
        print("errors:", s["errors"][:5])


if __name__ == "__main__":
    main()
