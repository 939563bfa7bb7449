// The console's small script: fetch with the CSRF token, and the presence toggle without a reload.
// Every page works without it (plain forms); other pages may use window.consoleFetch.
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // fetch() of this site, sending the session's CSRF token and asking for JSON.
  function consoleFetch(url, options) {
    var opts = Object.assign({ credentials: "same-origin" }, options || {});
    opts.headers = Object.assign({ "Accept": "application/json", "X-CSRF-Token": csrfToken() }, opts.headers || {});
    return fetch(url, opts);
  }
  window.consoleFetch = consoleFetch;

  var form = document.querySelector("[data-presence-form]");
  if (!form) {
    return;
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var value = form.querySelector("[data-presence-value]");
    var state = form.querySelector("[data-presence-state]");
    var button = form.querySelector("[data-presence-button]");
    var previousLabel = state.textContent;
    consoleFetch(form.action, { method: "POST", body: new URLSearchParams(new FormData(form)) })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        var other = data.presence === "available" ? "away" : "available";
        state.textContent = data.label;
        state.className = "presence-state presence-" + data.presence;
        value.value = other;
        button.textContent = "Chuyển sang “" + previousLabel + "”";
      })
      .catch(function () {
        form.submit();  // fall back to the plain form (the server answers with a page)
      });
  });
})();
