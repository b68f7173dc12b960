/* The page laid out for the reader's screen (no dependencies, no network; lrnn_layout.css):
 * - a display equation too wide for its box first gives up the tag's mirror space (MathJax
 *   keeps a tag-wide margin on the left too, to centre the equation), then is set smaller
 *   (down to MIN_FIT of its size) to fit; only a wider one scrolls (lrnn.js adds the cue);
 * - an inline formula wider than its line scrolls on its own, with a cue, instead of being cut;
 * - a table wider than the text column uses the page's right margin on a desktop; on a phone it
 *   becomes a stack of cards (each row's name, then each cell under its column's name) or, if
 *   it is too wide even so, scrolls with a cue while its first column stays in view;
 * - on a phone an explorer's controls and the sentence that reports their effect stay on
 *   screen together while its figure scrolls by;
 * - an enlarged figure opens at its natural size on a narrow screen, to pan and zoom;
 * - on a phone a diagram (a notebook's SVG output; the plots have a one-column layout of their
 *   own, lrnn.viz.show) is shown at MIN_DIAGRAM of its natural size or more, its labels
 *   readable, and pans sideways with a cue, as wide equations and tables do. */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }
  function debounce(fn, ms) {
    var t = null;
    return function () { clearTimeout(t); t = setTimeout(fn, ms); };
  }
  function blockOf(el) {
    for (var a = el.parentElement; a; a = a.parentElement) {
      var d = getComputedStyle(a).display;
      if (d.indexOf("inline") !== 0 && d !== "contents") return a;
    }
    return document.body;
  }
  function contentWidth(el) {
    var cs = getComputedStyle(el);
    return el.clientWidth - (parseFloat(cs.paddingLeft) || 0) - (parseFloat(cs.paddingRight) || 0);
  }
  // A shadow on the side that has more to scroll to (as for display equations, lrnn.js).
  function cue(box) {
    var more = box.scrollWidth - box.clientWidth > 1;
    box.classList.toggle("lrnn-more-left", more && box.scrollLeft > 1);
    box.classList.toggle("lrnn-more-right", more && box.scrollLeft < box.scrollWidth - box.clientWidth - 1);
    if (!box.dataset.lrnnCue) {
      box.dataset.lrnnCue = "1";
      box.addEventListener("scroll", function () { cue(box); }, { passive: true });
    }
  }

  /* -- display equations: fit the box at every width --------------------------------------------- */
  var MIN_FIT = 0.75;
  function restoreTag(m) {
    if (!m.dataset.lrnnTag) return;
    var saved = JSON.parse(m.dataset.lrnnTag);
    m.querySelectorAll("[data-lrnn-tagged]").forEach(function (e) {
      var k = e.getAttribute("data-lrnn-tagged");
      e.style.minWidth = saved[k].minWidth;
      e.style.margin = saved[k].margin;
      e.style.width = saved[k].width;
    });
  }
  // A tagged equation: the equation, a gap and the tag, all flush left (no mirror margin).
  function measureTag(m) {
    var mt = m.querySelector("mjx-mtable[side]");
    if (!mt) return null;
    var table = mt.querySelector(":scope > mjx-table"), labels = mt.querySelector(":scope > mjx-labels");
    var tag = labels && labels.querySelector(":scope > mjx-itable");
    if (!table || !tag) return null;
    return { mt: mt, table: table, labels: labels, em: parseFloat(getComputedStyle(m).fontSize) || 16,
             E: table.getBoundingClientRect().width, T: tag.getBoundingClientRect().width };
  }
  function compactTag(m, t) {
    var W = (t.E + t.T) / t.em + 0.8 + "em";
    var parts = { c: m, t: t.mt, b: t.table, l: t.labels };
    if (!m.dataset.lrnnTag) {
      var saved = {};
      Object.keys(parts).forEach(function (k) {
        parts[k].setAttribute("data-lrnn-tagged", k);
        saved[k] = { minWidth: parts[k].style.minWidth, margin: parts[k].style.margin, width: parts[k].style.width };
      });
      m.dataset.lrnnTag = JSON.stringify(saved);
    }
    m.style.minWidth = W;
    t.mt.style.minWidth = W;
    t.table.style.margin = "0 " + (t.T / t.em + 0.8) + "em 0 0";
    t.labels.style.width = W;
  }
  // In batches (every write, then every read): one layout of the page per step, not one per
  // equation, so that a resize or a phone's rotation stays quick on a long chapter.
  function displays() {
    var boxes = [];
    document.querySelectorAll("div.math").forEach(function (box) {
      var m = box.querySelector("mjx-container");
      if (!m) return;
      if (m.dataset.lrnnSize === undefined) m.dataset.lrnnSize = m.style.fontSize || "";
      m.style.fontSize = m.dataset.lrnnSize;
      restoreTag(m);
      boxes.push([box, m]);
    });
    var wide = boxes.filter(function (b) { return b[0].clientWidth && b[0].scrollWidth > b[0].clientWidth + 1; });
    var tagged = wide.map(function (b) { return measureTag(b[1]); });
    wide.forEach(function (b, i) { if (tagged[i]) compactTag(b[1], tagged[i]); });
    var ratio = wide.map(function (b) { return b[0].clientWidth / b[0].scrollWidth; });
    wide.forEach(function (b, i) {
      if (ratio[i] < 1 && ratio[i] >= MIN_FIT) b[1].style.fontSize = (parseFloat(b[1].dataset.lrnnSize) || 100) * ratio[i] * 0.99 + "%";
    });
  }

  /* -- inline formulas wider than their line --------------------------------------------------- */
  function inlineMath() {
    var article = document.querySelector("article") || document.body;
    var all = [];
    article.querySelectorAll("mjx-container:not([display='true'])").forEach(function (m) {
      if (m.closest("div.math") || m.parentElement.closest("mjx-container")) return;
      m.classList.remove("lrnn-inline-wide", "lrnn-more-left", "lrnn-more-right");
      all.push(m);
    });
    var rooms = new Map();
    var wide = all.filter(function (m) {
      var block = blockOf(m);
      if (!rooms.has(block)) rooms.set(block, contentWidth(block));
      var room = rooms.get(block);
      return room > 0 && m.getBoundingClientRect().width > room + 1;
    });
    wide.forEach(function (m) {
      m.classList.add("lrnn-inline-wide");
      m.setAttribute("tabindex", "0");
    });
    wide.forEach(cue);
  }

  /* -- tables ------------------------------------------------------------------------------------ */
  var PHONE = 640, WIDE = 992;
  function label(table) {
    if (table.dataset.lrnnLabelled) return;
    table.dataset.lrnnLabelled = "1";
    var head = table.querySelector("thead tr");
    if (!head) return;
    var names = Array.prototype.map.call(head.children, function (c) { return c.textContent.trim(); });
    table.querySelectorAll("tbody tr").forEach(function (tr) {
      Array.prototype.forEach.call(tr.children, function (td, i) {
        if (names[i] && !td.hasAttribute("data-label")) td.setAttribute("data-label", names[i]);
      });
    });
  }
  function boxOf(table) {
    var p = table.parentElement;
    if (p && p.classList.contains("pst-scrollable-table-container")) return p;
    if (p && p.classList.contains("lrnn-table-box")) return p;
    var box = document.createElement("div");
    box.className = "lrnn-table-box";
    table.parentNode.insertBefore(box, table);
    box.appendChild(table);
    return box;
  }
  function tables() {
    var article = document.querySelector("article");
    if (!article) return;
    var w = window.innerWidth;
    var found = [];
    article.querySelectorAll("table").forEach(function (t) {
      if (t.closest(".lrnn-explorer, mjx-container, .lrnn-lightbox")) return;
      var box = boxOf(t);
      box.classList.add("lrnn-table-box");
      box.classList.remove("lrnn-table-scrolls");
      t.classList.remove("lrnn-cards");
      var outer = t.closest("div.cell_output") || box;
      outer.classList.remove("lrnn-table-wide");
      found.push([t, box, outer]);
    });
    // measure every table at the column's width first (several may share one output)
    var over = found.map(function (f) { return f[0].scrollWidth - f[1].clientWidth > 1; });
    found.forEach(function (f, i) {
      var t = f[0];
      if (!over[i]) return;
      if (w >= WIDE) f[2].classList.add("lrnn-table-wide");   // into the right margin, as wide figures
      else if (w < PHONE && t.querySelector("thead") && t.rows.length > 1) {
        label(t);
        t.classList.add("lrnn-cards");
      }
    });
    found.forEach(function (f) {
      var t = f[0], box = f[1];
      if (t.classList.contains("lrnn-cards") && t.scrollWidth - box.clientWidth > 1) t.classList.remove("lrnn-cards");
      if (box.scrollWidth - box.clientWidth > 1) box.classList.add("lrnn-table-scrolls");
      cue(box);
    });
  }

  // While a widened table is on screen the page-contents list folds away, as the theme does
  // for its own full-width content.
  var onScreen = new Set(), watched = new WeakSet(), io = null;
  function foldContents() {
    var side = document.querySelector("div.bd-sidebar-secondary");
    if (!side || !window.IntersectionObserver) return;
    if (!io) {
      io = new IntersectionObserver(function (entries) {
        entries.forEach(function (e) {
          if (e.isIntersecting && e.target.classList.contains("lrnn-table-wide")) onScreen.add(e.target);
          else onScreen.delete(e.target);
        });
        if (onScreen.size) { side.classList.add("hide"); side.dataset.lrnnHid = "1"; }
        else if (side.dataset.lrnnHid) { side.classList.remove("hide"); delete side.dataset.lrnnHid; }
      }, { rootMargin: "0px 0px -33% 0px" });
    }
    document.querySelectorAll(".lrnn-table-wide").forEach(function (el) {
      if (!watched.has(el)) { watched.add(el); io.observe(el); }
    });
  }

  /* -- explorers on a phone: controls and their verdict together, on screen -------------------- */
  function explorers() {
    document.querySelectorAll(".lrnn-explorer[data-lrnn-explorer='static']").forEach(function (root) {
      if (root.querySelector(":scope > .lrnn-explorer-head")) return;
      var controls = root.querySelector(":scope > .lx-controls");
      var verdict = root.querySelector(":scope > .lrnn-explorer-text");
      if (!controls || !verdict) return;
      var head = document.createElement("div");
      head.className = "lrnn-explorer-head";
      root.insertBefore(head, controls);
      head.appendChild(controls);
      head.appendChild(verdict);
    });
  }

  /* -- enlarged figures on a narrow screen: natural size, pan and zoom ------------------------- */
  function lightboxes() {
    document.querySelectorAll("dialog.lrnn-lightbox").forEach(function (dlg) {
      if (dlg.dataset.lrnnPan) return;
      dlg.dataset.lrnnPan = "1";
      var img = dlg.querySelector("img");
      if (!img) return;
      var sync = function () {  // natural: the figure's size in CSS px (its width attribute), or its pixels
        var narrow = window.innerWidth < 768, natural = parseFloat(img.dataset.width) || img.naturalWidth;
        dlg.classList.toggle("lrnn-lightbox-natural", narrow && natural > window.innerWidth);
        img.style.width = narrow && natural ? natural + "px" : "";
      };
      img.addEventListener("load", sync);
      new MutationObserver(function () { if (dlg.open) { sync(); dlg.scrollLeft = 0; dlg.scrollTop = 0; } })
        .observe(dlg, { attributes: true, attributeFilter: ["open"] });
    });
  }

  /* -- diagrams on a phone: readable, panning sideways ------------------------------------------ */
  var MIN_DIAGRAM = 0.7;
  function diagrams() {
    var narrow = window.innerWidth < PHONE;
    document.querySelectorAll(".bd-content div.cell_output img[src$='.svg']").forEach(function (img) {
      var pan = img.parentElement;
      if (!pan.classList.contains("lrnn-pan")) {
        pan = document.createElement("div");
        pan.className = "lrnn-pan";
        img.parentNode.insertBefore(pan, img);
        pan.appendChild(img);
        img.addEventListener("load", diagrams);
      }
      var room = pan.clientWidth, natural = img.naturalWidth, cs = getComputedStyle(img);
      var card = (parseFloat(cs.paddingLeft) || 0) + (parseFloat(cs.paddingRight) || 0);  // dark mode's
      var small = narrow && natural && natural * MIN_DIAGRAM + card > room;
      img.style.width = small ? Math.ceil(natural * MIN_DIAGRAM + card) + "px" : "";
      img.style.maxWidth = small ? "none" : "";
      if (small) pan.setAttribute("tabindex", "0");
      else pan.removeAttribute("tabindex");
      cue(pan);
    });
  }

  function layout() {
    diagrams();
    displays();
    inlineMath();
    tables();
    foldContents();
  }

  ready(function () {
    explorers();
    layout();
    setTimeout(lightboxes, 0);
    var again = debounce(layout, 120);
    window.addEventListener("resize", again);
    window.addEventListener("load", again);
    // A theme switch changes widths too (code and tables are set differently in dark mode): lay the
    // page out again at once, so that a table that now overflows is widened or scrolls with its cue.
    new MutationObserver(layout).observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
    // MathJax (where a page has mathematics) typesets after the page is ready
    var tries = 0;
    (function whenTypeset() {
      if (window.MathJax && MathJax.startup && MathJax.startup.promise) MathJax.startup.promise.then(layout);
      else if (document.querySelector(".math") && tries++ < 100) setTimeout(whenTypeset, 100);
    })();
  });
})();
