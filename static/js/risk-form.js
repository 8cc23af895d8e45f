// The risk form's scores, updated while the user picks likelihood and impact (progressive
// enhancement: the server already wrote the scores of the values loaded). Nothing is computed
// here: each score is looked up in the table the service wrote into `data-scores`.
(function () {
  var panel = document.getElementById("risk-scores");
  if (!panel) return;
  var table = JSON.parse(panel.dataset.scores);
  var outputs = panel.querySelectorAll("output[data-likelihood]");

  function firstSet(ids) {
    for (var i = 0; i < ids.length; i++) {
      var field = document.getElementById(ids[i]);
      if (field && field.value) return field.value;
    }
    return null;
  }

  function render(output) {
    var likelihood = firstSet(JSON.parse(output.dataset.likelihood));
    var impact = firstSet(JSON.parse(output.dataset.impact));
    var entry = likelihood && impact ? table[likelihood + "x" + impact] : null;
    output.replaceChildren();
    if (!entry) {
      var hint = document.createElement("span");
      hint.className = "text-muted";
      hint.textContent = "Pick the likelihood and the impact";
      output.append(hint);
      return;
    }
    var badge = document.createElement("span");
    badge.className = "badge level-badge level-" + entry.level;
    badge.textContent = entry.label;
    output.append(entry.score + " ", badge);
  }

  function renderAll() {
    outputs.forEach(render);
  }

  panel.closest("form").addEventListener("change", renderAll);
  renderAll();
})();
