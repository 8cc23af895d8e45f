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

// A multi-value filter's folded checkbox group (vpportal/widgets/checkbox_dropdown.html): its
// summary names what is ticked, as the server wrote it on load.
document.addEventListener("change", function (event) {
  const group = event.target.closest(".checkbox-dropdown");
  if (!group) return;
  const chosen = Array.from(group.querySelectorAll("input:checked")).map(function (box) {
    return group.querySelector('label[for="' + box.id + '"]').textContent.trim();
  });
  group.querySelector("[data-summary]").textContent =
    chosen.length === 0 ? "Any" : chosen.length <= 2 ? chosen.join(", ") : chosen.length + " chosen";
});

// A list's bulk form (vpportal/core/bulk.py): the header box ticks every row of the page.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-bulk]").forEach(function (form) {
    const all = form.querySelector("[data-select-all]");
    if (!all) return;
    const rows = function () { return Array.from(form.querySelectorAll('input[name="ids"]')); };
    all.hidden = false;
    all.addEventListener("change", function () {
      rows().forEach(function (box) { box.checked = all.checked; });
    });
    form.addEventListener("change", function (event) {
      if (event.target.name !== "ids") return;
      const ticked = rows().filter(function (box) { return box.checked; }).length;
      all.checked = ticked === rows().length;
      all.indeterminate = ticked > 0 && ticked < rows().length;
    });
  });
});
