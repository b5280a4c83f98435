// Digest pages: watch a queued digest until it is ready, and print. A file, for the CSP.
(function () {
  "use strict";

  var status = document.querySelector("[data-digest-status-url]");
  if (status) {
    var url = status.getAttribute("data-digest-status-url");
    var label = status.querySelector("[data-digest-status-label]");
    var delay = 1000;
    var poll = function () {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) { throw new Error(response.status); }
          return response.json();
        })
        .then(function (data) {
          if (data.done) {
            window.location.assign(data.url);
            return;
          }
          if (label) { label.textContent = data.label; }
          delay = Math.min(delay * 1.5, 10000);
          window.setTimeout(poll, delay);
        })
        .catch(function () {
          delay = Math.min(delay * 2, 30000);
          window.setTimeout(poll, delay);
        });
    };
    window.setTimeout(poll, delay);
  }

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
