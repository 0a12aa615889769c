// The door without reloads: search while typing, check in with one small request, scan a
// badge's code with the camera where the browser has a BarcodeDetector. The page works the
// same without this file.
(function () {
  "use strict";
  var door = document.querySelector("[data-door]");
  if (!door || !window.fetch) return;
  var form = door.querySelector(".door-search");
  var input = form.querySelector("input[name=q]");
  var timer = null;

  function replaceResults(query) {
    var url = door.dataset.door + (query ? "?q=" + encodeURIComponent(query) : "");
    fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null || input.value.trim() !== query) return;
        var fresh = new DOMParser().parseFromString(html, "text/html");
        ["door-results", "door-count"].forEach(function (id) {
          var there = fresh.getElementById(id);
          if (there) document.getElementById(id).innerHTML = there.innerHTML;
        });
        history.replaceState(null, "", url);
      })
      .catch(function () {});
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    var query = input.value.trim();
    if (query.length === 1) return;
    timer = setTimeout(function () { replaceResults(query); }, 300);
  });

  door.addEventListener("submit", function (event) {
    var tap = event.target;
    if (tap === form || tap.method !== "post") return;
    event.preventDefault();
    var button = tap.querySelector("button");
    button.disabled = true;
    fetch(tap.action, {
      method: "POST",
      body: new FormData(tap),
      headers: { Accept: "application/json" },
      credentials: "same-origin"
    })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (done) {
        var row = tap.closest(".person");
        row.classList.toggle("in", done.checked_in);
        row.querySelector(".state").textContent = done.state;
        tap.action = done.action;
        button.textContent = done.button;
        button.className = done.checked_in ? "undo" : "check-in";
        document.getElementById("door-count").textContent = done.count_text;
        button.disabled = false;
        input.select();
      })
      .catch(function () { tap.submit(); });
  });

  var scan = form.querySelector(".scan");
  var video = door.querySelector(".scanner");
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices || !scan || !video) return;
  scan.hidden = false;
  scan.addEventListener("click", function () {
    var detector = new window.BarcodeDetector();
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } })
      .then(function (stream) {
        video.srcObject = stream;
        video.hidden = false;
        video.play();
        function stop() {
          stream.getTracks().forEach(function (track) { track.stop(); });
          video.hidden = true;
        }
        function look() {
          detector.detect(video).then(function (codes) {
            if (!codes.length) { setTimeout(look, 250); return; }
            var value = codes[0].rawValue;
            var number = /(\d+)\D*$/.exec(value);
            stop();
            input.value = number ? number[1] : value;
            form.submit();
          }).catch(function () { setTimeout(look, 500); });
        }
        look();
      })
      .catch(function () { scan.hidden = true; });
  });
})();
