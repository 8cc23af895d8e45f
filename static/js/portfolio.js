// KPI trend chart: the values against the target and warning threshold lines.
// Data comes from the page's json_script tag (no inline script: strict CSP).
(function () {
  "use strict";
  const canvas = document.getElementById("kpi-trend");
  const source = document.getElementById("kpi-trend-data");
  if (!canvas || !source || typeof Chart === "undefined") {
    return;
  }
  const data = JSON.parse(source.textContent);
  const constant = (value) => data.labels.map(() => value);
  const datasets = [
    {
      label: data.name + (data.unit ? " (" + data.unit + ")" : ""),
      data: data.values,
      borderColor: "#0d6efd",
      backgroundColor: "rgba(13, 110, 253, 0.1)",
      pointRadius: data.values.length > 60 ? 0 : 2,
      tension: 0.2,
      fill: false,
    },
  ];
  if (data.target !== null) {
    datasets.push({ label: "Target", data: constant(data.target), borderColor: "#198754", borderDash: [6, 4], pointRadius: 0 });
  }
  if (data.warning !== null) {
    datasets.push({ label: "Warning threshold", data: constant(data.warning), borderColor: "#fd7e14", borderDash: [2, 3], pointRadius: 0 });
  }
  new Chart(canvas, {
    type: "line",
    data: { labels: data.labels, datasets: datasets },
    options: {
      animation: false,
      maintainAspectRatio: false,
      interaction: { mode: "index", intersect: false },
      scales: { x: { ticks: { maxTicksLimit: 12, autoSkip: true } } },
      plugins: { legend: { position: "bottom" } },
    },
  });
})();
