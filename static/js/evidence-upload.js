/* Evidence upload: drag and drop onto the form and a progress bar while the file is sent.
   Without JavaScript the form is a plain multipart POST; with it, the same POST is sent by
   XMLHttpRequest (to see its progress): on success the browser goes where the server redirected;
   on a refusal the form comes back from the server with its field errors and takes this one's place. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-evidence-upload]");
  if (!form || !window.XMLHttpRequest || !window.FormData || !window.DOMParser) return;
  function part(selector) { return form.querySelector(selector); }
  function input() { return part("input[type=file][data-evidence-file]"); }

  function showChosen() {
    var file = input();
    var chosen = part("[data-evidence-chosen]");
    if (chosen) chosen.textContent = file && file.files.length ? file.files[0].name : "";
  }
  function enable() {
    var drop = part("[data-evidence-drop]");
    if (drop) drop.hidden = false;
    if (input()) input().addEventListener("change", showChosen);
  }
  function highlight(on) {
    var drop = part("[data-evidence-drop]");
    if (drop) { drop.classList.toggle("border-primary", on); drop.classList.toggle("bg-light", on); }
  }
  form.addEventListener("dragenter", function (e) { e.preventDefault(); highlight(true); });
  form.addEventListener("dragover", function (e) { e.preventDefault(); highlight(true); });
  form.addEventListener("dragleave", function (e) { e.preventDefault(); highlight(false); });
  form.addEventListener("drop", function (e) {
    e.preventDefault();
    highlight(false);
    if (e.dataTransfer && e.dataTransfer.files.length && input()) {
      input().files = e.dataTransfer.files;
      showChosen();
    }
  });

  function setProgress(percent) {
    var progress = part("[data-evidence-progress]");
    var bar = part("[data-evidence-bar]");
    progress.hidden = false;
    progress.setAttribute("aria-valuenow", String(percent));
    bar.style.width = percent + "%";
    bar.textContent = percent + "%";
  }
  function fail(message) {
    var problem = part("[data-evidence-error]");
    part("[data-evidence-progress]").hidden = true;
    problem.textContent = message;
    problem.hidden = false;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    part("[data-evidence-error]").hidden = true;
    setProgress(0);
    var request = new XMLHttpRequest();
    request.open("POST", form.getAttribute("action") || window.location.href);
    request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    request.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) setProgress(Math.round((e.loaded / e.total) * 100));
    });
    request.addEventListener("load", function () {
      var page = new DOMParser().parseFromString(request.responseText, "text/html");
      var answered = page.querySelector("form[data-evidence-upload]");
      if (request.status < 400 && !answered) {
        window.location.assign(request.responseURL || window.location.href);
        return;
      }
      if (answered) {
        form.innerHTML = answered.innerHTML;  // the server's form, with its field errors
        enable();
        setProgress(100);
        part("[data-evidence-progress]").hidden = true;
      } else {
        fail("The upload was refused (" + request.status + ").");
      }
    });
    request.addEventListener("error", function () {
      fail("The upload failed (the connection was interrupted). Try again.");
    });
    request.send(new FormData(form));
  });
  enable();
})();
