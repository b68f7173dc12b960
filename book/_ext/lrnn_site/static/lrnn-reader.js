/* The reader's aids (no dependencies, no network; book/_ext/lrnn_site/preview.py):
 * - an "Eq. N" or "P<n>" link shows its equation or erratum in a popover: on hover, on keyboard
 *   focus, or on a first tap on a touch screen (a second tap, or the popover's own link, goes there);
 * - the download menu's ".pdf" falls back to the print dialog where the site has no PDF (over http);
 * - a box that scrolls sideways takes keyboard focus (axe: scrollable-region-focusable). */
(function () {
  "use strict";
  var root = document.documentElement.dataset.content_root || "./";
  var pop = null, current = null, hideTimer = null, showTimer = null, lastPointer = "mouse";

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  /* -- the previews' data: one script, loaded on first use (works from file:// too) --------- */
  var loading = null;
  function previews() {
    if (window.LRNN_PREVIEWS) return Promise.resolve(window.LRNN_PREVIEWS);
    if (!loading) {
      loading = new Promise(function (resolve) {
        var s = document.createElement("script");
        s.src = root + "_static/lrnn-previews.js";
        s.onload = function () { resolve(window.LRNN_PREVIEWS || {}); };
        s.onerror = function () { resolve({}); };
        document.head.appendChild(s);
      });
    }
    return loading;
  }

  function keyOf(a) {
    var url = new URL(a.getAttribute("href"), location.href);
    var base = new URL(root, location.href);
    var path = url.pathname.indexOf(base.pathname) === 0 ? url.pathname.slice(base.pathname.length) : url.pathname;
    return decodeURIComponent(path) + url.hash;
  }

  /* MathJax typesets a preview: the page's own copy, or the site's, loaded on first use on a
   * page that has no formula of its own. */
  var mathjax = null;
  function typeset(el) {
    if (!el.querySelector(".math")) return Promise.resolve();
    if (!mathjax) {
      mathjax = new Promise(function (resolve) {
        function started() {
          if (window.MathJax && MathJax.startup && MathJax.startup.promise) MathJax.startup.promise.then(resolve);
          else resolve();
        }
        if (window.MathJax && MathJax.typesetPromise) return started();
        if (window.MathJax) return window.addEventListener("load", started);  // the page's copy is loading
        window.MathJax = { options: { processHtmlClass: "tex2jax_process|mathjax_process|math|output_area" },
                           startup: { typeset: false } };
        var s = document.createElement("script");
        s.src = root + "_static/mathjax/tex-chtml.js";
        s.onload = started;
        s.onerror = function () { resolve(); };
        document.head.appendChild(s);
      });
    }
    return mathjax.then(function () {
      return window.MathJax && MathJax.typesetPromise ? MathJax.typesetPromise([el]) : null;
    });
  }

  function popover() {
    if (pop) return pop;
    pop = document.createElement("div");
    pop.className = "lrnn-preview";
    pop.id = "lrnn-preview";
    pop.setAttribute("role", "tooltip");
    pop.hidden = true;
    pop.addEventListener("mouseenter", function () { clearTimeout(hideTimer); });
    pop.addEventListener("mouseleave", function () { scheduleHide(); });
    document.body.appendChild(pop);
    return pop;
  }

  function place(a) {
    var r = a.getBoundingClientRect();
    var vw = document.documentElement.clientWidth;
    var width = Math.min(576, vw - 16);
    pop.style.width = width + "px";
    var left = Math.max(8, Math.min(r.left + window.scrollX, window.scrollX + vw - width - 8));
    pop.style.left = left + "px";
    var below = r.bottom + window.scrollY + 6;
    pop.style.top = below + "px";
    var h = pop.offsetHeight;
    if (r.bottom + 6 + h > window.innerHeight && r.top - 6 - h > 0) pop.style.top = (r.top + window.scrollY - 6 - h) + "px";
  }

  function show(a) {
    clearTimeout(hideTimer);
    if (current === a && !popover().hidden) return;
    previews().then(function (data) {
      var html = data[keyOf(a)];
      if (!html) return;
      var p = popover();
      current = a;
      var label = a.textContent.trim();
      p.innerHTML = '<div class="lrnn-preview-body"></div><p class="lrnn-preview-go"><a></a></p>';
      p.firstChild.innerHTML = html;
      var go = p.querySelector(".lrnn-preview-go a");
      go.href = a.href;
      go.textContent = (/^P\d/.test(label) ? "Go to erratum " : "Go to ") + label + " \u203a";
      p.hidden = false;
      a.setAttribute("aria-describedby", "lrnn-preview");
      a.setAttribute("aria-expanded", "true");
      place(a);
      typeset(p.firstChild).then(function () { if (current === a) place(a); });
    });
  }

  function hide() {
    clearTimeout(showTimer);
    if (!pop || pop.hidden) return;
    pop.hidden = true;
    if (current) { current.removeAttribute("aria-describedby"); current.setAttribute("aria-expanded", "false"); }
    current = null;
  }
  function scheduleHide() { clearTimeout(hideTimer); hideTimer = setTimeout(hide, 250); }

  function previewsLinks() {
    var links = document.querySelectorAll("article a.lrnn-xref");
    if (!links.length) return;
    document.addEventListener("pointerdown", function (e) { lastPointer = e.pointerType || "mouse"; }, true);
    links.forEach(function (a) {
      a.setAttribute("aria-expanded", "false");
      a.addEventListener("mouseenter", function () {
        if (lastPointer === "touch") return;
        clearTimeout(showTimer);
        showTimer = setTimeout(function () { show(a); }, 200);
      });
      a.addEventListener("mouseleave", function () { clearTimeout(showTimer); scheduleHide(); });
      a.addEventListener("focus", function () { if (lastPointer !== "touch") show(a); });
      a.addEventListener("blur", function (e) { if (!pop || !pop.contains(e.relatedTarget)) scheduleHide(); });
      a.addEventListener("click", function (e) {
        // a tap opens the preview; a second tap on the same link follows it
        if (lastPointer === "touch" && current !== a) { e.preventDefault(); show(a); }
      });
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && pop && !pop.hidden) { var a = current; hide(); if (a) a.focus(); }
    });
    document.addEventListener("click", function (e) {
      if (pop && !pop.hidden && !pop.contains(e.target) && !(e.target.closest && e.target.closest("a.lrnn-xref"))) hide();
    });
    window.addEventListener("resize", function () { if (current) place(current); });
  }

  /* -- the download menu's .pdf: the print dialog where the site has no PDF ------------------
   * Checked when the reader asks for it (served over http; from disk the link is followed). */
  function pdfFallback() {
    var a = document.querySelector(".dropdown-download-buttons a[href$='.pdf']");
    if (!a || !/^https?:$/.test(location.protocol) || !window.fetch) return;
    a.addEventListener("click", function (e) {
      e.preventDefault();
      var tab = window.open("", "_blank");
      fetch(a.href, { method: "HEAD" }).then(function (r) {
        if (r.ok) { if (tab) tab.location = a.href; else location.href = a.href; }
        else { if (tab) tab.close(); window.print(); }
      }).catch(function () { if (tab) tab.close(); window.print(); });
    });
  }

  /* -- a box that scrolls sideways (an equation or a table on a phone) takes keyboard focus, so
   * that the arrow keys scroll it ----------------------------------------------------------- */
  var SCROLLERS = "article div.math, article .pst-scrollable-table-container, article div.highlight pre";
  function focusableScrollers() {
    document.querySelectorAll(SCROLLERS).forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth;  // as axe-core counts it: even 1 px scrolls
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.dataset.lrnnScrollFocus = "1";
        if (box.matches("div.math") && !box.hasAttribute("aria-label")) {
          var tag = (box.textContent.match(/\\tag\*?\{([^}]*)\}/) || [])[1];
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", tag ? "Equation " + tag + ", scrolls sideways" : "Equation, scrolls sideways");
        }
      } else if (!scrolls && box.dataset.lrnnScrollFocus) {
        box.removeAttribute("tabindex");
        delete box.dataset.lrnnScrollFocus;
      }
    });
  }
  var scrollTimer = null;
  function watchScrollers() {
    focusableScrollers();
    window.addEventListener("resize", function () { clearTimeout(scrollTimer); scrollTimer = setTimeout(focusableScrollers, 100); });
    window.addEventListener("load", function () { setTimeout(focusableScrollers, 300); });
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) MathJax.startup.promise.then(focusableScrollers);
  }

  ready(function () {
    previewsLinks();
    pdfFallback();
    watchScrollers();
  });
})();
