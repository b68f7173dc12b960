/* Kernel-free face of an lrnn Explorer (lrnn/widgets/explorer.py): draws precomputed views
 * as SVG and switches between them with sliders (ordered numbers) and segmented buttons (two
 * values, or named choices). No dependencies, no network.
 *
 * Colours come from CSS variables (explorer.css) that follow the page's light or dark theme;
 * the panels are drawn at the width they get (so their text keeps its size) and redrawn when
 * that width changes. Labels use a small markup: x_{sub} and x^{sup}. Legends sit under their
 * panel (never on the data); markers are drawn under the lines, and thinned where they would
 * bury them; dashed and dotted curves are drawn above solid ones, so none hides another. */
(function () {
  if (window.lrnnExplorer) return;
  var NS = "http://www.w3.org/2000/svg";
  var FONT = 13;
  function el(tag, attrs, parent) {
    var e = document.createElementNS(NS, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function html(tag, cls, parent) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (parent) parent.appendChild(e);
    return e;
  }
  // "g_{cs}[n]" -> [["g", ""], ["cs", "sub"], ["[n]", ""]]
  function parts(text) {
    var out = [], re = /([_^])\{([^}]*)\}/g, last = 0, m;
    text = String(text);
    while ((m = re.exec(text))) {
      if (m.index > last) out.push([text.slice(last, m.index), ""]);
      out.push([m[2], m[1] === "_" ? "sub" : "sup"]);
      last = re.lastIndex;
    }
    if (last < text.length) out.push([text.slice(last), ""]);
    return out;
  }
  var NUM = /([\u2212-]?\d[\d.,]*(?:\s?[×x]\s?10[\u207B\u2070-\u2079\u00B9\u00B2\u00B3]+|e[+\u2212-]?\d+)?%?)/g;
  // Rich text into an HTML element: sub/superscripts, numbers never broken across lines.
  function setHTML(node, text) {
    node.textContent = "";
    parts(text).forEach(function (p) {
      var host = p[1] ? html(p[1], "", node) : node;
      String(p[0]).split(NUM).forEach(function (piece, i) {
        if (!piece) return;
        if (i % 2) { var s = html("span", "lrnn-num", host); s.textContent = piece.replace(/-(?=\d)/g, "\u2212"); }
        else host.appendChild(document.createTextNode(piece));
      });
    });
  }
  // Rich text into an SVG <text>.
  function setSVG(node, text) {
    node.textContent = "";
    parts(text).forEach(function (p) {
      var t = el("tspan", {}, node);
      if (p[1] === "sub") { t.setAttribute("baseline-shift", "sub"); t.setAttribute("font-size", "78%"); }
      if (p[1] === "sup") { t.setAttribute("baseline-shift", "super"); t.setAttribute("font-size", "78%"); }
      t.textContent = String(p[0]).replace(/-(?=\d)/g, "\u2212");
    });
  }
  var SUP = { "-": "\u207B", "0": "\u2070", "1": "\u00B9", "2": "\u00B2", "3": "\u00B3", "4": "\u2074",
              "5": "\u2075", "6": "\u2076", "7": "\u2077", "8": "\u2078", "9": "\u2079" };
  function pow10(k) { return "10" + String(k).split("").map(function (c) { return SUP[c] || c; }).join(""); }
  function niceTicks(lo, hi, n) {
    var span = hi - lo, step = Math.pow(10, Math.floor(Math.log10(span / n)));
    var err = (n * step) / span;
    if (err <= 0.15) step *= 10; else if (err <= 0.35) step *= 5; else if (err <= 0.75) step *= 2;
    var t = [], v = Math.ceil(lo / step) * step;
    for (; v <= hi + 1e-9 * span; v += step) t.push(Math.abs(v) < 1e-12 * span ? 0 : v);
    return t;
  }
  function fmt(v) {
    var a = Math.abs(v);
    if (a !== 0 && (a >= 1e4 || a < 1e-3)) {
      var e = Math.floor(Math.log10(a)), m = v / Math.pow(10, e);
      return (Math.abs(m - 1) < 1e-9 ? "" : String(+m.toPrecision(2)) + "\u00D7") + pow10(e);
    }
    return String(+v.toPrecision(4)).replace("-", "\u2212");
  }
  function range(vals, fixed, pad) {
    if (fixed) return fixed.slice();
    var lo = Infinity, hi = -Infinity;
    vals.forEach(function (v) { if (v !== null && isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); } });
    if (!isFinite(lo)) return [0, 1];
    if (hi - lo < 1e-12) { lo -= 0.5; hi += 0.5; }
    var p = (hi - lo) * pad;
    return [lo - p, hi + p];
  }
  var ORDER = { markers: 0, stems: 0, line: 1, dashed: 2, dotted: 3 };
  function dash(style) { return style === "dashed" ? "7 4" : style === "dotted" ? "2 3" : "none"; }
  function colour(i) { return "var(--lx-c" + (i % 8) + ")"; }

  function drawPanel(host, panel, width) {
    var W = Math.max(260, Math.round(width)), H = Math.round(Math.min(340, Math.max(220, W * 0.66)));
    var L = panel.ylabel ? 64 : 48, R = 14, T = 10, B = 46;
    var svg = el("svg", { width: W, height: H, viewBox: "0 0 " + W + " " + H, class: "lrnn-panel", role: "img",
                          "aria-label": (panel.title || "plot") + (panel.ylabel ? ": " + panel.ylabel : ""),
                          "font-size": FONT }, host);
    var ty = function (v) { return panel.logy ? (v > 0 ? Math.log10(v) : null) : v; };
    var xs = [], ys = [];
    panel.series.forEach(function (s) { xs = xs.concat(s.x); ys = ys.concat(s.y.map(ty)); });
    var xr = range(xs, panel.xlim, 0.02), yr = range(ys, panel.ylim && panel.logy ? panel.ylim.map(Math.log10) : panel.ylim, 0.05);
    var pw = W - L - R, ph = H - T - B;
    if (panel.equal) {
      var sx = (xr[1] - xr[0]) / pw, sy = (yr[1] - yr[0]) / ph, s = Math.max(sx, sy);
      var cx = (xr[0] + xr[1]) / 2, cy = (yr[0] + yr[1]) / 2;
      xr = [cx - s * pw / 2, cx + s * pw / 2]; yr = [cy - s * ph / 2, cy + s * ph / 2];
    }
    var X = function (v) { return L + (v - xr[0]) / (xr[1] - xr[0]) * pw; };
    var Y = function (v) { return T + ph - (v - yr[0]) / (yr[1] - yr[0]) * ph; };
    var g = el("g", { fill: "none", "stroke-width": 1 }, svg);
    el("rect", { x: L, y: T, width: pw, height: ph, class: "lx-plot" }, g);
    niceTicks(xr[0], xr[1], Math.max(3, Math.round(pw / 70))).forEach(function (v) {
      el("line", { x1: X(v), x2: X(v), y1: T, y2: T + ph, class: "lx-grid" }, g);
      el("line", { x1: X(v), x2: X(v), y1: T + ph, y2: T + ph + 4, class: "lx-axis" }, g);
      el("text", { x: X(v), y: T + ph + 17, "text-anchor": "middle", class: "lx-text" }, g).textContent = fmt(v);
    });
    var yt = niceTicks(yr[0], yr[1], 5);
    if (panel.logy) {
      var step = Math.max(1, Math.ceil((yr[1] - yr[0]) / 6));
      yt = [];
      for (var k = Math.ceil(yr[0]); k <= yr[1] + 1e-9; k++) if (k % step === 0) yt.push(k);
      if (yt.length < 2) yt = niceTicks(yr[0], yr[1], 4);
    }
    yt.forEach(function (v) {
      el("line", { x1: L, x2: L + pw, y1: Y(v), y2: Y(v), class: "lx-grid" }, g);
      el("line", { x1: L - 4, x2: L, y1: Y(v), y2: Y(v), class: "lx-axis" }, g);
      el("text", { x: L - 7, y: Y(v) + 4, "text-anchor": "end", class: "lx-text" }, g).textContent =
        panel.logy ? (Math.abs(v - Math.round(v)) < 1e-9 ? pow10(Math.round(v)) : fmt(Math.pow(10, v))) : fmt(v);
    });
    el("rect", { x: L, y: T, width: pw, height: ph, class: "lx-frame" }, g);
    if (panel.xlabel) setSVG(el("text", { x: L + pw / 2, y: H - 8, "text-anchor": "middle", class: "lx-text lx-label" }, svg), panel.xlabel);
    if (panel.ylabel) setSVG(el("text", { x: 15, y: T + ph / 2, "text-anchor": "middle", class: "lx-text lx-label",
                                          transform: "rotate(-90 15 " + (T + ph / 2) + ")" }, svg), panel.ylabel);
    var clipId = "c" + Math.random().toString(36).slice(2);
    el("rect", { x: L, y: T, width: pw, height: ph }, el("clipPath", { id: clipId }, svg));
    var plot = el("g", { "clip-path": "url(#" + clipId + ")" }, svg);
    var legend = [];
    panel.series.map(function (s, i) { return [s, i]; })
      .sort(function (a, b) { return (ORDER[a[0].style] - ORDER[b[0].style]) || (a[1] - b[1]); })
      .forEach(function (pair) {
        var s = pair[0], col = colour(s.color), pts = [];
        for (var i = 0; i < s.x.length; i++) {
          var yv = s.y[i] === null ? null : ty(s.y[i]);
          if (yv === null || s.x[i] === null || !isFinite(yv)) continue;
          pts.push([X(s.x[i]), Y(yv)]);
        }
        var note = "";
        if (s.style === "markers" || s.style === "stems") {
          var every = 1;
          if (pts.length > 2) {
            var span = Math.abs(pts[pts.length - 1][0] - pts[0][0]) / (pts.length - 1);
            if (span > 0 && span < 7) every = Math.ceil(7 / span);
          }
          if (every > 1) note = " (every " + every + (every === 2 ? "nd" : every === 3 ? "rd" : "th") + " sample)";
          pts.forEach(function (p, j) {
            if (j % every) return;
            if (s.style === "stems") el("line", { x1: p[0], x2: p[0], y1: Y(Math.max(yr[0], Math.min(yr[1], 0))), y2: p[1], style: "stroke:" + col }, plot);
            el("circle", { cx: p[0], cy: p[1], r: 3.4, class: "lx-marker", style: "fill:" + col }, plot);
          });
        } else {
          el("polyline", { points: pts.map(function (p) { return p[0].toFixed(1) + "," + p[1].toFixed(1); }).join(" "),
                           fill: "none", style: "stroke:" + col, "stroke-width": s.style === "line" ? 2 : 2.2,
                           "stroke-dasharray": dash(s.style), "stroke-linejoin": "round" }, plot);
        }
        if (s.label) legend[pair[1]] = [s.label + note, col, s.style];
      });
    return legend.filter(Boolean);
  }

  function drawLegend(host, items) {
    if (!items.length) return;
    var ul = html("ul", "lx-legend", host);
    items.forEach(function (it) {
      var li = html("li", "", ul);
      var key = el("svg", { width: 26, height: 12, "aria-hidden": "true" }, li);
      if (it[2] === "markers" || it[2] === "stems") el("circle", { cx: 13, cy: 6, r: 3.6, style: "fill:" + it[1], class: "lx-marker" }, key);
      else el("line", { x1: 1, x2: 25, y1: 6, y2: 6, style: "stroke:" + it[1], "stroke-width": 2.4, "stroke-dasharray": dash(it[2]) }, key);
      setHTML(html("span", "", li), it[0]);
    });
  }

  function widgetOf(c) {
    if (c.widget && c.widget !== "auto") return c.widget;
    var numeric = c.values.every(function (v) { return !isNaN(parseFloat(v)); });
    return numeric && c.values.length > 2 ? "slider" : c.values.length <= 6 ? "buttons" : "select";
  }

  // The page carries the first frame in full and every other as its difference from the first
  // (lrnn.widgets.explorer.frame_deltas): the keys that differ, a list of objects element by element
  // as {"$list": [...]}, an object with other keys whole as {"$set": ...}.
  function patch(base, delta) {
    if (delta === null || typeof delta !== "object" || Array.isArray(delta)) return delta;
    if ("$set" in delta) return delta["$set"];
    if ("$list" in delta) return base.map(function (b, i) { return patch(b, delta["$list"][i]); });
    var out = {};
    Object.keys(base).forEach(function (k) { out[k] = k in delta ? patch(base[k], delta[k]) : base[k]; });
    return out;
  }

  window.lrnnExplorer = function (root, data) {
    if (data.deltas) {
      data.frames = data.frames.map(function (f, i) { return i ? patch(data.frames[0], f) : f; });
      data.deltas = false;
    }
    root.innerHTML = "";
    setHTML(html("div", "lx-title", root), data.title);
    var form = html("div", "lx-controls", root);
    var idx = data.controls.map(function (c) { return c.default; });
    var figs = html("div", "lx-panels", root);
    var text = html("p", "lrnn-explorer-text", root);
    text.setAttribute("aria-live", "polite");
    // The grid point of the controls (row-major); with data.index, its frame is data.frames[index[k]],
    // or, as [frame, sentence], another point's panels under its own sentence.
    function point() {
      var k = 0;
      for (var i = 0; i < data.controls.length; i++) k = k * data.controls[i].values.length + idx[i];
      return k;
    }
    function frame(k) {
      var e = data.index ? data.index[k] : k;
      if (typeof e === "number") return data.frames[e];
      var f = {};
      Object.keys(data.frames[e[0]]).forEach(function (key) { f[key] = data.frames[e[0]][key]; });
      f.text = e[1];
      return f;
    }
    var boxes = [];
    function redraw() {
      var k = point(), f = frame(k);
      while (boxes.length < f.panels.length) boxes.push(html("figure", "lx-panel", figs));
      f.panels.forEach(function (p, i) {
        var box = boxes[i];
        box.textContent = "";
        var w = box.clientWidth || figs.clientWidth || 420;
        if (p.title) setHTML(html("figcaption", "lx-panel-title", box), p.title);
        drawLegend(box, drawPanel(box, p, w));
      });
      setHTML(text, f.text);
      root.setAttribute("data-frame", String(k));
    }
    data.controls.forEach(function (c, i) {
      var kind = widgetOf(c);
      var group = html("div", "lx-control lx-" + kind, form);
      var name = html("span", "lx-control-name", group);
      setHTML(name, c.label);
      var set = function (j) { idx[i] = j; redraw(); };
      if (kind === "slider") {
        var lab = html("label", "", group);
        lab.appendChild(name);
        var input = html("input", "", lab);
        input.type = "range"; input.min = 0; input.max = c.values.length - 1; input.step = 1;
        input.value = c.default; input.name = c.name;
        var out = html("output", "lrnn-num", lab);
        out.textContent = c.values[c.default];
        input.setAttribute("aria-label", name.textContent);
        input.setAttribute("aria-valuetext", c.values[c.default]);
        input.addEventListener("input", function () {
          out.textContent = c.values[+input.value];
          input.setAttribute("aria-valuetext", c.values[+input.value]);
          set(+input.value);
        });
      } else if (kind === "select") {
        var sel = html("select", "", group);
        sel.name = c.name;
        sel.setAttribute("aria-label", name.textContent);
        c.values.forEach(function (v, j) { var o = html("option", "", sel); o.value = j; o.textContent = v; });
        sel.value = c.default;
        sel.addEventListener("input", function () { set(+sel.value); });
      } else {
        var seg = html("div", "lx-segmented", group);
        seg.setAttribute("role", "radiogroup");
        seg.setAttribute("aria-label", name.textContent);
        seg.dataset.name = c.name;
        var buttons = c.values.map(function (v, j) {
          var b = html("button", "", seg);
          b.type = "button";
          b.setAttribute("role", "radio");
          b.setAttribute("aria-checked", j === c.default ? "true" : "false");
          b.value = j;
          setHTML(b, v);
          b.addEventListener("click", function () {
            buttons.forEach(function (o) { o.setAttribute("aria-checked", o === b ? "true" : "false"); });
            set(j);
          });
          return b;
        });
      }
    });
    redraw();
    if (window.ResizeObserver) {
      var last = figs.clientWidth;
      new ResizeObserver(function () {
        if (Math.abs(figs.clientWidth - last) > 4) { last = figs.clientWidth; redraw(); }
      }).observe(figs);
    }
  };
})();
