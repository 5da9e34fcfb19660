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
    setupNavigation(report);
    var text = report.querySelector("textarea.text-report");
    var buttons = report.querySelectorAll("button.copy-text");
    for (var j = 0; j < buttons.length; j++) {
      wireCopy(buttons[j], text);
    }
  }
  /* The debug page's navigation: "my code only", context expansion, the index
     links and j/k. Without JavaScript every frame and line is simply shown. */
  function setupNavigation(report) {
    var controls = report.querySelector(".pe-controls");
    if (!controls) { return; }
    controls.hidden = false;
    var toggle = controls.querySelector("input.my-code-only");
    var runs = report.querySelectorAll("details.lib-run");
    function applyMyCode() {
      report.classList.toggle("my-code", toggle.checked);
      for (var i = 0; i < runs.length; i++) { runs[i].open = !toggle.checked; }
    }
    toggle.addEventListener("change", applyMyCode);
    applyMyCode();
    var more = report.querySelectorAll("button.more-context");
    for (var j = 0; j < more.length; j++) { wireContext(more[j]); }
    report.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a[href^='#']") : null;
      if (link) { reveal(report, link.getAttribute("href").slice(1)); }
    });
    window.addEventListener("hashchange", function () {
      focusFrame(reveal(report, location.hash.slice(1)));
    });
    if (location.hash) { focusFrame(reveal(report, location.hash.slice(1))); }
    document.addEventListener("keydown", function (event) {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) { return; }
      var target = event.target;
      // Typing is typing; a checkbox or a button with the focus (just clicked) is no typing.
      if (target && (target.isContentEditable || /^(TEXTAREA|SELECT)$/.test(target.tagName) ||
          (target.tagName === "INPUT" && !/^(checkbox|radio|button|submit|reset)$/.test(target.type)))) { return; }
      if (event.key === "j") { move(report, 1); }
      else if (event.key === "k") { move(report, -1); }
      else { return; }
      event.preventDefault();
    });
  }
  function wireContext(button) {
    var frame = button.closest(".frame");
    var count = button.getAttribute("data-more");
    button.hidden = false;
    button.addEventListener("click", function () {
      var expanded = frame.classList.toggle("expanded");
      button.setAttribute("aria-expanded", expanded ? "true" : "false");
      button.textContent = expanded ? "Show less context" :
        "Show " + count + " more line" + (count === "1" ? "" : "s") + " of context";
    });
  }
  /* Open every folded run around the element of id *name*; return it. */
  function reveal(report, name) {
    if (!name) { return null; }
    var target = document.getElementById(name);
    if (!target || !report.contains(target)) { return null; }
    for (var node = target.parentNode; node && node !== report; node = node.parentNode) {
      if (node.tagName === "DETAILS") { node.open = true; }
    }
    return target;
  }
  function focusFrame(frame) {
    if (frame && frame.classList.contains("frame")) { frame.focus({ preventScroll: true }); }
  }
  /* A frame inside a closed <details> (a folded run) keeps its boxes: ask the parents. */
  function isShown(element, report) {
    for (var node = element.parentNode; node && node !== report; node = node.parentNode) {
      if (node.tagName === "DETAILS" && !node.open) { return false; }
    }
    return element.getClientRects().length > 0;
  }
  function shownFrames(report) {
    var all = report.querySelectorAll(".frame[data-frame]");
    var shown = [];
    for (var i = 0; i < all.length; i++) {
      if (isShown(all[i], report)) { shown.push(all[i]); }
    }
    return shown;
  }
  function move(report, step) {
    var frames = shownFrames(report);
    if (!frames.length) { return; }
    var active = document.activeElement;
    var current = active && active.closest ? frames.indexOf(active.closest(".frame[data-frame]")) : -1;
    var next;
    if (current >= 0) {
      next = Math.min(Math.max(current + step, 0), frames.length - 1);
    } else {
      next = step > 0 ? frames.length - 1 : 0;
      for (var i = 0; i < frames.length; i++) {
        var top = frames[i].getBoundingClientRect().top;
        if (step > 0 && top > 1) { next = i; break; }
        if (step < 0 && top < -1) { next = i; }
      }
    }
    frames[next].focus({ preventScroll: true });
    frames[next].scrollIntoView({ block: "start" });
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
