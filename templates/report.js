/* paste_exc report behaviour.  Without JavaScript everything is expanded;
   this collapses what is secondary and wires the copy button.  No inline
   handlers: everything is attached here, so a strict CSP allows it. */
(function () {
  "use strict";
  function setup(report) {
    if (report.getAttribute("data-ready") === "1") { return; }
    report.setAttribute("data-ready", "1");
    report.classList.add("js");
    var collapsible = report.querySelectorAll("details.js-collapse");
    for (var i = 0; i < collapsible.length; i++) {
      if (!collapsible[i].classList.contains("keep-open")) {
        collapsible[i].open = false;
      }
    }
    var text = report.querySelector("textarea.text-report");
    var buttons = report.querySelectorAll("button.copy-text");
    for (var j = 0; j < buttons.length; j++) {
      wireCopy(buttons[j], text);
    }
  }
  function done(button, state) {
    button.setAttribute("data-copied", state);
    button.textContent = state === "yes" ? "Copied \u2713" : "Copy failed: select the text below";
  }
  function fallback(button, text) {
    var details = text.closest("details");
    if (details) { details.open = true; }
    text.focus();
    text.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    done(button, ok ? "yes" : "no");
  }
  function wireCopy(button, text) {
    if (!text) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text.value).then(
          function () { done(button, "yes"); },
          function () { fallback(button, text); }
        );
      } else {
        fallback(button, text);
      }
    });
  }
  var reports = document.querySelectorAll(".pe-report");
  for (var k = 0; k < reports.length; k++) { setup(reports[k]); }
})();
