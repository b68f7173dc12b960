/* The search page (book/_ext/lrnn_site/preview.py loads this after Sphinx's searchtools.js):
 * - a result's snippet reads as text: the TeX of inline formulas loses its delimiters and
 *   commands (\(\vec s[n]\) reads "s[n]"), display equations become "[Eq. N]";
 * - a full-text hit links to the first section (below the chapter's opening) whose own text
 *   holds every word of the query, not to the top of the page. */
(function () {
  "use strict";
  if (typeof Search === "undefined") return;

  var SYMBOLS = {
    odot: "\u2299", cdot: "\u00b7", times: "\u00d7", partial: "\u2202", nabla: "\u2207", infty: "\u221e",
    le: "\u2264", leq: "\u2264", ge: "\u2265", geq: "\u2265", ne: "\u2260", neq: "\u2260", approx: "\u2248",
    to: "\u2192", rightarrow: "\u2192", sum: "\u03a3", prod: "\u03a0", in: "\u2208", lVert: "\u2016", rVert: "\u2016",
    alpha: "\u03b1", beta: "\u03b2", gamma: "\u03b3", delta: "\u03b4", epsilon: "\u03b5", eta: "\u03b7",
    theta: "\u03b8", lambda: "\u03bb", mu: "\u03bc", xi: "\u03be", rho: "\u03c1", sigma: "\u03c3", tau: "\u03c4",
    phi: "\u03c6", chi: "\u03c7", psi: "\u03c8", omega: "\u03c9", Delta: "\u0394", Gamma: "\u0393", Lambda: "\u039b",
    Sigma: "\u03a3", Phi: "\u03a6", Psi: "\u03a8", Omega: "\u03a9", ldots: "\u2026", dots: "\u2026", pm: "\u00b1",
  };

  /* TeX to reading text: what a snippet shows of a formula. */
  function plainTeX(tex) {
    return tex
      .replace(/\\tag\*?\{[^}]*\}/g, "")
      .replace(/\\(?:label|operatorname\*?)\{([^}]*)\}/g, "$1")
      .replace(/\\(?:text|mathrm|mathbf|mathcal|mathit|boldsymbol|textbf|textit)\{([^}]*)\}/g, "$1")
      .replace(/\\frac\{([^}]*)\}\{([^}]*)\}/g, "($1)/($2)")
      .replace(/\\(?:left|right|big|Big|bigg|Bigg)\b\s*/g, "")
      .replace(/\\([A-Za-z]+)/g, function (m, name) { return SYMBOLS[name] !== undefined ? SYMBOLS[name] : ""; })
      .replace(/\\[,;:! ]/g, " ")
      .replace(/\\([{}_%$#&|])/g, "$1")
      .replace(/[{}]/g, "")
      .replace(/\s+/g, " ")
      .trim();
  }

  function cleanMath(el) {
    el.querySelectorAll("div.math").forEach(function (box) {
      var tag = (box.textContent.match(/\\tag\*?\{([^}]*)\}/) || [])[1];
      box.replaceWith(document.createTextNode(tag ? " [Eq. " + tag + "] " : " [equation] "));
    });
    el.querySelectorAll("span.math").forEach(function (span) {
      var tex = span.textContent.replace(/^\s*\\\(|\\\)\s*$/g, "").replace(/^\$|\$$/g, "");
      span.replaceWith(document.createTextNode(plainTeX(tex)));
    });
  }

  /* The text of a page (or of its anchored section) with formulas as text. */
  Search.htmlToText = function (htmlString, anchor) {
    var doc = new DOMParser().parseFromString(htmlString, "text/html");
    doc.querySelectorAll(".headerlink, script, style").forEach(function (el) { el.remove(); });
    var main = doc.querySelector('[role="main"]');
    if (!main) return "";
    var part = (anchor && main.querySelector(anchor)) || main;
    cleanMath(part);
    return part.textContent.replace(/\\\(|\\\)|\\\[|\\\]|\$\$/g, "").replace(/\s+/g, " ");
  };

  /* The deepest section whose own text holds every word of the query (or the first of them). */
  function sectionFor(htmlString, words) {
    var doc = new DOMParser().parseFromString(htmlString, "text/html");
    var main = doc.querySelector('[role="main"]');
    if (!main) return null;
    // the page's own section (its title and overview) comes last: a section that discusses
    // the words is the better place to land than a summary of the chapter
    var best = null;
    var sections = main.querySelectorAll("section[id]");
    for (var i = 1; i < sections.length && !best; i++) {
      var s = sections[i];
      var own = Array.prototype.filter.call(s.childNodes, function (c) { return !(c.nodeName === "SECTION"); })
        .map(function (c) { return c.textContent; }).join(" ").toLowerCase();
      if (words.every(function (w) { return own.indexOf(w) >= 0; })) best = s;
    }
    return best ? best.id : null;
  }

  var summary = Search.makeSearchSummary;
  Search.makeSearchSummary = function (htmlText, keywords, anchor) {
    var p = summary(htmlText, keywords, anchor);
    if (!anchor && p) {
      var words = (new URLSearchParams(location.search).get("q") || "").toLowerCase().split(/\s+/).filter(Boolean);
      var id = words.length ? sectionFor(htmlText, words) : null;
      if (id) {
        var again = Search.htmlToText(htmlText, "#" + CSS.escape(id));
        var at = Math.max(0, again.toLowerCase().indexOf(words[0]) - 120);
        p.textContent = (at ? "..." : "") + again.substr(at, 240).trim() + (at + 240 < again.length ? "..." : "");
        // the list item gets the summary right after this returns: then point its link at the section
        Promise.resolve().then(function () {
          var link = p.parentNode && p.parentNode.querySelector("a");
          if (link && link.href.indexOf("#") < 0) link.href += "#" + id;
        });
      }
    }
    return p;
  };
})();
