// Export job status: poll the job's JSON status until the file is ready or the job failed,
// then show the download link. Loaded as a file so the CSP can forbid inline script.
(function () {
  "use strict";

  var box = document.querySelector("[data-export-job]");
  if (!box || box.hasAttribute("data-export-job-done")) {
    return;
  }
  var url = box.getAttribute("data-export-job");
  var statusText = box.querySelector("[data-export-status]");
  var rowsText = box.querySelector("[data-export-rows]");
  var progress = box.querySelector("[data-export-progress]");
  var errorText = box.querySelector("[data-export-error]");
  var download = box.querySelector("[data-export-download]");
  var refresh = box.querySelector("[data-export-refresh]");
  var delay = 1000;

  function show(data) {
    statusText.textContent = data.status_label;
    if (progress) {
      progress.max = Math.max(data.rows_total, 1);
      progress.value = data.rows_written;
    }
    if (rowsText) {
      rowsText.textContent = rowsText.getAttribute("data-template")
        .replace("{written}", String(data.rows_written))
        .replace("{total}", String(data.rows_total));
    }
    if (data.error) {
      errorText.textContent = data.error;
      errorText.hidden = false;
    }
    if (data.download_url) {
      download.href = data.download_url;
      download.hidden = false;
    }
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        show(data);
        if (data.status === "queued" || data.status === "running") {
          delay = Math.min(delay * 1.5, 10000);
          window.setTimeout(poll, delay);
        } else if (refresh) {
          refresh.hidden = true;
        }
      })
      .catch(function () {
        delay = Math.min(delay * 2, 30000);
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, delay);
})();
