// The organiser's check-in page (templates/engagement/check_in.html): "Scan a QR code" where
// the browser can read one with the camera (the BarcodeDetector API and getUserMedia). A code
// read is put in the code field and the form sent, exactly as if it had been typed. Without
// either API (or without script) the button stays hidden and the code is typed.
(function () {
  "use strict";

  var form = document.querySelector("[data-check-in-form]");
  if (!form) { return; }
  var scanButton = form.querySelector("[data-check-in-scan]");
  var scanner = form.querySelector("[data-check-in-scanner]");
  var stopButton = form.querySelector("[data-check-in-scan-stop]");
  var status = form.querySelector("[data-check-in-scan-status]");
  var video = scanner && scanner.querySelector("video");
  var input = form.querySelector("input[name=code]");
  var media = navigator.mediaDevices;
  if (!("BarcodeDetector" in window) || !media || !media.getUserMedia || !video || !input) {
    return;
  }
  scanButton.hidden = false;

  var stream = null;
  var timer = null;

  function say(key) {
    status.textContent = status.getAttribute("data-" + key) || "";
  }

  function stop() {
    if (timer) { window.clearTimeout(timer); timer = null; }
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
    }
    video.srcObject = null;
    scanner.hidden = true;
    scanButton.hidden = false;
  }

  function look(detector) {
    detector.detect(video).then(function (codes) {
      var text = codes.length ? (codes[0].rawValue || "").trim() : "";
      if (text) {
        stop();
        input.value = text;
        say("found");
        form.requestSubmit ? form.requestSubmit() : form.submit();
        return;
      }
      timer = window.setTimeout(function () { look(detector); }, 250);
    }).catch(function () {
      timer = window.setTimeout(function () { look(detector); }, 500);
    });
  }

  scanButton.addEventListener("click", function () {
    var detector;
    try {
      detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    } catch (error) {
      say("refused");
      scanButton.hidden = true;
      return;
    }
    media.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (camera) {
        stream = camera;
        video.srcObject = camera;
        scanner.hidden = false;
        scanButton.hidden = true;
        say("looking");
        return video.play();
      })
      .then(function () { look(detector); })
      .catch(function () {
        stop();
        say("refused");
        input.focus();
      });
  });

  stopButton.addEventListener("click", function () {
    stop();
    status.textContent = "";
    input.focus();
  });

  // Leaving the page (or the phone locking) lets go of the camera.
  window.addEventListener("pagehide", stop);
})();
