// Progressive enhancement only: every page reads and submits without JavaScript.
document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});

// Parts of a page that arrive after it (the notification bell's unread count): an element with
// data-fill-from="<url>" takes that URL's HTML, so the page itself pays no query for it.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-fill-from]").forEach(function (element) {
    fetch(element.dataset.fillFrom, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html !== null) { element.innerHTML = html; } })
      .catch(function () { /* the plain link stays */ });
  });
});
