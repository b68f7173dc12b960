/* The book's own page behaviour (no dependencies, no network):
 * - a shadow on the side of a display equation that has more to scroll to;
 * - click a figure to see it enlarged;
 * - the download menu offers the runnable book and says how to run the notebook;
 * - the page-contents highlight follows the section being read. */
(function () {
  "use strict";
  var root = document.documentElement.dataset.content_root || "./";

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  /* -- equations that scroll ---------------------------------------------------------------- */
  // An equation too wide for its box is first fitted to it (lrnn_layout.js); a wider one
  // (on a phone) scrolls, with a shadow as the cue.
  function markScroll(box) {
    var more = box.scrollWidth - box.clientWidth > 1;
    box.classList.toggle("lrnn-scrolls", more);
    box.classList.toggle("lrnn-more-left", more && box.scrollLeft > 1);
    box.classList.toggle("lrnn-more-right", more && box.scrollLeft < box.scrollWidth - box.clientWidth - 1);
  }
  function watchMath() {
    var boxes = document.querySelectorAll("div.math");
    if (!boxes.length) return;
    var ro = window.ResizeObserver ? new ResizeObserver(function (es) { es.forEach(function (e) { markScroll(e.target); }); }) : null;
    boxes.forEach(function (box) {
      box.addEventListener("scroll", function () { markScroll(box); }, { passive: true });
      if (ro) { ro.observe(box); if (box.firstElementChild) ro.observe(box.firstElementChild); }
      markScroll(box);
    });
    var again = function () { boxes.forEach(markScroll); };
    window.addEventListener("resize", again);
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) MathJax.startup.promise.then(again);
    else window.addEventListener("load", function () { setTimeout(again, 300); });
  }

  /* -- figures: click to enlarge ------------------------------------------------------------ */
  function lightbox() {
    var imgs = document.querySelectorAll(".bd-content div.cell_output img, .bd-content figure img");
    if (!imgs.length || !window.HTMLDialogElement) return;
    var dlg = document.createElement("dialog");
    dlg.className = "lrnn-lightbox";
    dlg.setAttribute("aria-label", "Enlarged figure");
    var big = document.createElement("img");
    var note = document.createElement("p");
    note.textContent = "Click or press Escape to close.";
    dlg.appendChild(big);
    dlg.appendChild(note);
    document.body.appendChild(dlg);
    dlg.addEventListener("click", function () { dlg.close(); });
    imgs.forEach(function (img) {
      img.classList.add("lrnn-zoomable");
      img.setAttribute("tabindex", "0");
      img.setAttribute("title", "Click to enlarge");
      var open = function () {
        big.src = img.currentSrc || img.src;
        big.alt = img.alt || "";
        big.dataset.width = img.getAttribute("width") || "";  // its size in CSS px (a 2x file has twice the pixels)
        dlg.showModal();
      };
      img.addEventListener("click", open);
      img.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); open(); } });
    });
  }

  /* -- the download menu: the runnable book ------------------------------------------------- */
  function downloadMenu() {
    var nb = document.querySelector(".dropdown-download-buttons a[href$='.ipynb']");
    if (!nb) return;
    var menu = nb.closest("ul");
    function item(href, icon, text, title) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = href;
      a.className = "btn btn-sm dropdown-item lrnn-run-item";
      a.title = title;
      a.setAttribute("data-bs-placement", "left");
      a.innerHTML = '<span class="btn__icon-container"><i class="fa-solid ' + icon + '"></i></span>' +
        '<span class="btn__text-container"></span>';
      a.lastChild.textContent = text;
      li.appendChild(a);
      menu.appendChild(li);
      return a;
    }
    item(root + "lrnn-book.zip", "fa-download", "runnable book (.zip)",
         "All notebooks, the lrnn package and its pinned requirements").setAttribute("download", "");
    item(root + "how-to-use.html#run-the-notebooks", "fa-angle-right", "how to run this notebook",
         "Two commands: install, then open JupyterLab");
  }

  /* -- page contents: highlight the section being read -------------------------------------- */
  function tocSpy() {
    var nav = document.querySelector("#pst-page-toc-nav");
    if (!nav) return;
    var links = Array.prototype.slice.call(nav.querySelectorAll("a.nav-link[href^='#']"));
    var targets = links.map(function (a) { return document.getElementById(decodeURIComponent(a.hash.slice(1))); });
    var pending = false;
    function update() {
      pending = false;
      var line = Math.min(140, window.innerHeight * 0.25), current = -1;
      for (var i = 0; i < targets.length; i++) {
        if (targets[i] && targets[i].getBoundingClientRect().top <= line) current = i;
      }
      if (current < 0) current = 0;
      nav.querySelectorAll(".active").forEach(function (e) { e.classList.remove("active"); });
      var a = links[current];
      if (!a) return;
      a.classList.add("active");
      for (var li = a.closest("li"); li && nav.contains(li); li = li.parentElement.closest("li")) li.classList.add("active");
    }
    function schedule() { if (!pending) { pending = true; requestAnimationFrame(update); } }
    window.addEventListener("scroll", schedule, { passive: true });
    window.addEventListener("hashchange", function () { setTimeout(update, 50); });
    setTimeout(update, 100);
  }

  ready(function () {
    watchMath();
    lightbox();
    downloadMenu();
    tocSpy();
  });
})();
