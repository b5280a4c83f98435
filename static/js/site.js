// AfA Platform behaviour. Loaded as a file so the CSP can forbid inline script.
(function () {
  "use strict";

  // "Leave this site quickly", after the GOV.UK "Exit this page" component: blank the
  // page at once, then replace this entry in the history with a neutral site, so the
  // back button does not bring the reader here again.
  // The neutral title comes from the page (data-quick-exit-title), in the page's language.
  function leave(url, title) {
    document.body.classList.add("quick-exit--active");
    document.title = title;
    document.body.innerHTML = "";
    window.location.replace(url);
  }

  var exit = document.querySelector("[data-quick-exit-url]");
  if (exit) {
    var url = exit.getAttribute("data-quick-exit-url");
    var title = exit.getAttribute("data-quick-exit-title") || "";
    exit.querySelectorAll("[data-quick-exit]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        leave(url, title);
      });
    });
    // Pressing Shift three times within a second leaves too.
    var presses = [];
    document.addEventListener("keyup", function (event) {
      if (event.key !== "Shift") {
        presses = [];
        return;
      }
      var now = Date.now();
      presses = presses.filter(function (t) { return now - t < 1000; });
      presses.push(now);
      if (presses.length >= 3) {
        leave(url, title);
      }
    });
  }

  // Forms: stop a second submit while the first is on its way (no duplicate posts).
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        window.setTimeout(function () { button.disabled = true; }, 0);
      });
    });
  });
  // Coming back to the page through the history re-enables its buttons.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-once] button[type=submit]").forEach(function (button) {
      button.disabled = false;
    });
  });

  // The idle sign-out of privileged roles (WCAG 2.2.1): warn two minutes before, and let one
  // button restart the clock without leaving the page. Without script the notice and the
  // button's plain form still work.
  var timeout = document.querySelector("[data-session-timeout]");
  if (timeout) {
    var idleMs = parseInt(timeout.getAttribute("data-session-timeout"), 10) * 1000;
    var warnMs = parseInt(timeout.getAttribute("data-session-warn-before"), 10) * 1000;
    var warning = timeout.querySelector("[data-session-warning]");
    var keepalive = timeout.querySelector("[data-session-keepalive]");
    var timer = null;
    var arm = function () {
      window.clearTimeout(timer);
      warning.hidden = true;
      timer = window.setTimeout(function () {
        warning.hidden = false;
        keepalive.querySelector("button").focus();
      }, Math.max(0, idleMs - warnMs));
    };
    keepalive.addEventListener("submit", function (event) {
      event.preventDefault();
      window.fetch(keepalive.action, {
        method: "POST",
        body: new FormData(keepalive),
        headers: { "X-Requested-With": "fetch" },
        credentials: "same-origin"
      }).then(function (response) {
        if (response.ok) { arm(); } else { keepalive.submit(); }
      }, function () { keepalive.submit(); });
    });
    arm();
  }
})();
