/* Kernel-free face of an lrnn Explorer (lrnn/explorer.py): draws precomputed
 * views as SVG and switches between them with HTML range/select inputs.
 * No dependencies, no network. Colours of axes and text follow the page
 * (currentColor), so the figure works in light and dark mode. */
(function () {
  if (window.lrnnExplorer) return;
  var NS = "http://www.w3.org/2000/svg";
  function el(tag, attrs, parent) {
    var e = document.createElementNS(NS, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
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
    if (a !== 0 && (a >= 1e4 || a < 1e-3)) return v.toExponential(0).replace("e+", "e");
    return String(+v.toPrecision(4));
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
  function drawPanel(host, panel, palette) {
    var W = 420, H = 300, L = 58, R = 12, T = panel.title ? 26 : 10, B = 44;
    var svg = el("svg", { viewBox: "0 0 " + W + " " + H, class: "lrnn-panel", role: "img",
                          "aria-label": panel.title || "plot", style: "width:100%;max-width:" + W + "px;height:auto" }, host);
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
    var g = el("g", { fill: "none", stroke: "currentColor", "stroke-width": 1, "font-size": 11 }, svg);
    el("rect", { x: L, y: T, width: pw, height: ph, "stroke-opacity": 0.6 }, g);
    niceTicks(xr[0], xr[1], 6).forEach(function (v) {
      el("line", { x1: X(v), x2: X(v), y1: T + ph, y2: T + ph + 4 }, g);
      el("line", { x1: X(v), x2: X(v), y1: T, y2: T + ph, "stroke-opacity": 0.12 }, g);
      el("text", { x: X(v), y: T + ph + 16, "text-anchor": "middle", fill: "currentColor", stroke: "none" }, g).textContent = fmt(v);
    });
    var yt = panel.logy ? niceTicks(yr[0], yr[1], 5).filter(function (v) { return Math.abs(v - Math.round(v)) < 1e-9; })
                        : niceTicks(yr[0], yr[1], 5);
    if (panel.logy && yt.length < 2) yt = niceTicks(yr[0], yr[1], 5);
    yt.forEach(function (v) {
      el("line", { x1: L - 4, x2: L, y1: Y(v), y2: Y(v) }, g);
      el("line", { x1: L, x2: L + pw, y1: Y(v), y2: Y(v), "stroke-opacity": 0.12 }, g);
      el("text", { x: L - 6, y: Y(v) + 4, "text-anchor": "end", fill: "currentColor", stroke: "none" }, g)
        .textContent = panel.logy ? (Math.abs(v - Math.round(v)) < 1e-9 ? "1e" + Math.round(v) : fmt(Math.pow(10, v))) : fmt(v);
    });
    var lab = { fill: "currentColor", stroke: "none", "font-size": 12, "text-anchor": "middle" };
    if (panel.title) el("text", Object.assign({ x: L + pw / 2, y: 16, "font-weight": "bold" }, lab), svg).textContent = panel.title;
    if (panel.xlabel) el("text", Object.assign({ x: L + pw / 2, y: H - 8 }, lab), svg).textContent = panel.xlabel;
    if (panel.ylabel) el("text", Object.assign({ x: 14, y: T + ph / 2, transform: "rotate(-90 14 " + (T + ph / 2) + ")" }, lab), svg).textContent = panel.ylabel;
    var clipId = "c" + Math.random().toString(36).slice(2);
    el("rect", { x: L, y: T, width: pw, height: ph }, el("clipPath", { id: clipId }, svg));
    var plot = el("g", { "clip-path": "url(#" + clipId + ")" }, svg);
    var legend = [];
    panel.series.forEach(function (s) {
      var col = palette[s.color % palette.length], pts = [];
      for (var i = 0; i < s.x.length; i++) {
        var yv = ty(s.y[i]);
        if (yv === null || s.x[i] === null || !isFinite(yv)) continue;
        pts.push([X(s.x[i]), Y(yv)]);
      }
      if (s.style === "markers" || s.style === "stems") {
        pts.forEach(function (p) {
          if (s.style === "stems") el("line", { x1: p[0], x2: p[0], y1: Y(Math.max(yr[0], Math.min(yr[1], 0))), y2: p[1], stroke: col }, plot);
          el("circle", { cx: p[0], cy: p[1], r: 3.2, fill: col }, plot);
        });
      } else {
        var dash = s.style === "dashed" ? "6 4" : s.style === "dotted" ? "2 3" : "none";
        el("polyline", { points: pts.map(function (p) { return p[0].toFixed(1) + "," + p[1].toFixed(1); }).join(" "),
                         fill: "none", stroke: col, "stroke-width": 1.8, "stroke-dasharray": dash }, plot);
      }
      if (s.label) legend.push([s.label, col, s.style]);
    });
    if (legend.length) {
      var longest = Math.max.apply(null, legend.map(function (it) { return it[0].length; }));
      el("rect", { x: L + 3, y: T + 3, width: 30 + 6.2 * longest, height: 15 * legend.length + 4,
                   style: "fill:Canvas;fill-opacity:.8", stroke: "none" }, svg);
    }
    legend.forEach(function (item, i) {
      var y = T + 14 + 15 * i, x = L + 8;
      if (item[2] === "markers" || item[2] === "stems") el("circle", { cx: x + 9, cy: y - 4, r: 3.2, fill: item[1] }, svg);
      else el("line", { x1: x, x2: x + 18, y1: y - 4, y2: y - 4, stroke: item[1], "stroke-width": 2,
                        "stroke-dasharray": item[2] === "dashed" ? "6 4" : item[2] === "dotted" ? "2 3" : "none" }, svg);
      el("text", { x: x + 24, y: y, fill: "currentColor", "font-size": 11 }, svg).textContent = item[0];
    });
  }
  window.lrnnExplorer = function (root, data) {
    root.innerHTML = "";
    root.style.cssText = "border:1px solid rgba(127,127,127,.35);border-radius:6px;padding:10px 12px;margin:1em 0";
    var head = document.createElement("div");
    head.style.cssText = "font-weight:bold;margin-bottom:6px";
    head.textContent = data.title;
    root.appendChild(head);
    var form = document.createElement("div");
    form.style.cssText = "display:flex;flex-wrap:wrap;gap:6px 22px;margin-bottom:6px";
    root.appendChild(form);
    var idx = data.controls.map(function (c) { return c.default; });
    var figs = document.createElement("div");
    figs.style.cssText = "display:flex;flex-wrap:wrap;gap:8px";
    var text = document.createElement("p");
    text.className = "lrnn-explorer-text";
    text.style.cssText = "margin:6px 0 0 0;font-style:italic";
    text.setAttribute("aria-live", "polite");
    function frame() {
      var k = 0;
      for (var i = 0; i < data.controls.length; i++) k = k * data.controls[i].values.length + idx[i];
      return data.frames[k];
    }
    function redraw() {
      var f = frame();
      figs.innerHTML = "";
      f.panels.forEach(function (p) {
        var box = document.createElement("div");
        box.style.cssText = "flex:1 1 360px;max-width:460px";
        figs.appendChild(box);
        drawPanel(box, p, data.palette);
      });
      text.textContent = f.text;
      root.setAttribute("data-frame", String(data.frames.indexOf(f)));
    }
    data.controls.forEach(function (c, i) {
      var lab = document.createElement("label");
      lab.style.cssText = "display:flex;align-items:center;gap:8px";
      var name = document.createElement("span");
      name.textContent = c.label;
      var out = document.createElement("output");
      out.style.cssText = "min-width:3.5em;font-variant-numeric:tabular-nums";
      var input;
      if (c.values.every(function (v) { return isNaN(parseFloat(v)); })) {
        input = document.createElement("select");
        c.values.forEach(function (v, j) { var o = document.createElement("option"); o.value = j; o.textContent = v; input.appendChild(o); });
        out.style.display = "none";
      } else {
        input = document.createElement("input");
        input.type = "range"; input.min = 0; input.max = c.values.length - 1; input.step = 1;
      }
      input.value = c.default;
      input.name = c.name;
      input.setAttribute("aria-label", c.label);
      out.textContent = c.values[c.default];
      input.addEventListener("input", function () { idx[i] = +input.value; out.textContent = c.values[idx[i]]; redraw(); });
      lab.appendChild(name); lab.appendChild(input); lab.appendChild(out);
      form.appendChild(lab);
    });
    root.appendChild(figs);
    root.appendChild(text);
    redraw();
  };
})();
