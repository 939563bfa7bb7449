/* The procedure desk: copy the chat text, print the checklist. No inline handlers (CSP). */
(function () {
  "use strict";

  function say(status, text) {
    if (status) {
      status.textContent = text;
    }
  }

  function copyWithSelection(area) {
    area.focus();
    area.select();
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  function copy(button) {
    var area = document.getElementById(button.getAttribute("data-copy-from"));
    var status = document.getElementById("desk-copy-status");
    if (!area) {
      return;
    }
    var text = area.value;
    var done = function () { say(status, button.getAttribute("data-copied")); };
    var failed = function () {
      var details = area.closest("details");
      if (details) {
        details.open = true;
      }
      if (copyWithSelection(area)) {
        done();
      } else {
        say(status, button.getAttribute("data-failed"));
      }
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, failed);
    } else {
      failed();
    }
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-copy-from], [data-print]");
    if (!target) {
      return;
    }
    if (target.hasAttribute("data-print")) {
      window.print();
    } else {
      copy(target);
    }
  });
})();
