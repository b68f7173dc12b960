/* Predict, then reveal (lrnn.widgets.predict): the reader types or picks a guess, then the page
 * shows the value the notebook computed and how far off the guess was. No kernel, no requests.
 * The measured value and its formatted text come from Python (data-lrnn-predict, data-shown). */
(function () {
  "use strict";

  function parseGuess(text) {
    var t = String(text).trim().replace(/\u2212/g, "-").replace(/\s+/g, "");
    if (/^[-+]?\d+,\d+$/.test(t)) t = t.replace(",", ".");  // a decimal comma
    var percent = /%$/.test(t);
    if (percent) t = t.slice(0, -1);
    if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) return NaN;
    var x = parseFloat(t);
    return percent ? x / 100 : x;
  }

  function describe(guess, value, decimals, unit, scientific) {
    var u = unit ? " " + unit : "";
    if (scientific) {  // values spanning powers of ten: judge the ratio
      var said = "Your guess, " + guess.toExponential(decimals) + u + ", ";
      if (guess === 0 || (guess > 0) !== (value > 0)) return said + "has the wrong sign or is zero.";
      var ratio = guess / value;
      var decades = Math.abs(Math.log10(ratio));
      if (decades < 0.05) return said + "is spot on.";
      return said + "is " + (ratio > 1 ? "too high" : "too low") + " by a factor of " +
        (ratio > 1 ? ratio : 1 / ratio).toPrecision(2) + " (" + decades.toFixed(1) + " powers of ten).";
    }
    var diff = guess - value;
    var abs = Math.abs(diff);
    var step = Math.pow(10, -decimals);
    if (abs < step / 2) return "Your guess, " + guess.toFixed(decimals) + u + ", is spot on.";
    var side = diff > 0 ? "too high" : "too low";
    var text = "Your guess, " + guess.toFixed(decimals) + u + ", is " + abs.toFixed(decimals) + u + " " + side;
    if (value !== 0) {
      var rel = abs / Math.abs(value);
      text += rel >= 10 ? " (off by a factor of " + (guess / value).toPrecision(2) + ")"
                        : " (" + Math.round(100 * rel) + " % of the measured value)";
    }
    return text + ".";
  }

  function reveal(form, guess) {
    var value = parseFloat(form.getAttribute("data-lrnn-predict"));
    var decimals = parseInt(form.getAttribute("data-decimals"), 10) || 0;
    var unit = form.getAttribute("data-unit") || "";
    var scientific = form.getAttribute("data-scientific") === "1";
    var answer = form.querySelector(".lrnn-predict-answer");
    form.querySelector(".lrnn-predict-value").textContent = form.getAttribute("data-shown");
    form.querySelector(".lrnn-predict-off").textContent = isNaN(guess) ? "" : " " + describe(guess, value, decimals, unit, scientific);
    answer.hidden = false;
    form.classList.add("lrnn-predict-revealed");
  }

  function setUp(form) {
    if (form.getAttribute("data-lrnn-ready")) return;
    form.setAttribute("data-lrnn-ready", "1");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var input = form.querySelector("input");
      var guess = parseGuess(input.value);
      var error = form.querySelector(".lrnn-predict-error");
      if (isNaN(guess)) {
        if (!error) {
          error = document.createElement("p");
          error.className = "lrnn-predict-error";
          error.setAttribute("role", "alert");
          form.querySelector(".lrnn-predict-controls").after(error);
        }
        error.textContent = "Type a number first, such as 0.5 or 2e-3.";
        input.focus();
        return;
      }
      if (error) error.remove();
      reveal(form, guess);
    });
    form.querySelectorAll(".lrnn-predict-choice").forEach(function (button) {
      button.addEventListener("click", function () {
        form.querySelectorAll(".lrnn-predict-choice").forEach(function (b) {
          b.setAttribute("aria-pressed", b === button ? "true" : "false");
        });
        reveal(form, parseFloat(button.getAttribute("data-guess")));
      });
    });
  }

  function init() {
    document.querySelectorAll("form[data-lrnn-predict]").forEach(setUp);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
