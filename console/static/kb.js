// The spreadsheet upload of /kb/drafts: sent with the CSRF header so that the server reads the file
// itself (up to 5 MB) instead of the console's 64 KB form limit. Without JavaScript the plain form
// still works for small files.
(function () {
  "use strict";
  var form = document.querySelector("[data-kb-import]");
  if (!form || !window.consoleFetch) {
    return;
  }
  var status = form.querySelector("[data-kb-import-status]");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    status.textContent = "Đang tải lên…";
    window.consoleFetch(form.action, { method: "POST", body: new FormData(form) })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (data.ok) {
          window.location.assign(data.next);
          return;
        }
        var lines = [data.error].concat((data.problems || []).map(function (p) { return p.location + ": " + p.message; }));
        status.textContent = lines.join("\n");
      })
      .catch(function () { status.textContent = "Không gửi được tệp; hãy thử lại."; });
  });
})();
