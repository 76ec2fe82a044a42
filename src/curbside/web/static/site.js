/* Curbside's only script besides htmx: "Copy citation" buttons and full printouts.
   An external file (CSP script-src 'self'); without it the citation text is still shown,
   selectable, and the page works the same. */
(function () {
  "use strict";

  function say(button, text) {
    var note = button.nextElementSibling;
    if (!note || !note.classList.contains("copied")) {
      note = document.createElement("span");
      note.className = "copied";
      note.setAttribute("role", "status");
      button.after(note);
    }
    note.textContent = text;
  }

  function selectText(el) {
    var range = document.createRange();
    range.selectNodeContents(el);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }

  function copy(button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) { return; }
    var text = source.textContent.replace(/\s+/g, " ").trim();
    // The clipboard API needs a secure context (https or localhost); elsewhere the text is
    // selected so that the reader can copy it with the keyboard.
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { say(button, "Copied"); },
        function () { selectText(source); say(button, "Selected: press Ctrl+C to copy"); });
    } else {
      selectText(source);
      say(button, "Selected: press Ctrl+C to copy");
    }
  }

  function wire(root) {
    root.querySelectorAll("button[data-copy]").forEach(function (b) {
      if (b.dataset.wired) { return; }
      b.dataset.wired = "1";
      b.hidden = false;
      b.addEventListener("click", function () { copy(b); });
    });
  }

  // A printout shows every section, whatever the reader collapsed.
  var closed = [];
  window.addEventListener("beforeprint", function () {
    closed = Array.prototype.filter.call(document.querySelectorAll("details"),
      function (d) { return !d.open; });
    closed.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    closed.forEach(function (d) { d.open = false; });
    closed = [];
  });

  document.addEventListener("DOMContentLoaded", function () { wire(document); });
  // Personalize swaps the article in with htmx: wire the new buttons too.
  document.addEventListener("htmx:afterSettle", function (e) { wire(e.target || document); });
}());
