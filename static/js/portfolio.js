// KPI trend chart: the values against the target and warning threshold, drawn as labelled
// horizontal lines across the whole chart (visible even with a single point).
// Data comes from the page's json_script tag (no inline script: strict CSP).
(function () {
  "use strict";
  const canvas = document.getElementById("kpi-trend");
  const source = document.getElementById("kpi-trend-data");
  if (!canvas || !source || typeof Chart === "undefined") {
    return;
  }
  const data = JSON.parse(source.textContent);
  const lines = [];
  if (data.target !== null) {
    lines.push({ value: data.target, label: "Target " + data.target, color: "#198754", dash: [6, 4] });
  }
  if (data.warning !== null) {
    lines.push({ value: data.warning, label: "Warning " + data.warning, color: "#fd7e14", dash: [2, 3] });
  }
  const referenceLines = {
    id: "referenceLines",
    afterDatasetsDraw(chart) {
      const { ctx, chartArea, scales } = chart;
      lines.forEach(function (line) {
        const y = scales.y.getPixelForValue(line.value);
        ctx.save();
        ctx.strokeStyle = line.color;
        ctx.setLineDash(line.dash);
        ctx.lineWidth = 1.5;
        ctx.beginPath();
        ctx.moveTo(chartArea.left, y);
        ctx.lineTo(chartArea.right, y);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = line.color;
        ctx.font = "12px sans-serif";
        ctx.textAlign = "right";
        ctx.fillText(line.label, chartArea.right - 4, y - 4);
        ctx.restore();
      });
    },
  };
  const marks = data.values.concat(lines.map((line) => line.value));
  const low = Math.min.apply(null, marks);
  const high = Math.max.apply(null, marks);
  const pad = (high - low) * 0.08 || Math.abs(high) * 0.05 || 1;
  new Chart(canvas, {
    type: "line",
    data: {
      labels: data.labels,
      datasets: [
        {
          label: data.name + (data.unit ? " (" + data.unit + ")" : ""),
          data: data.values,
          borderColor: "#0d6efd",
          backgroundColor: "#0d6efd",
          pointRadius: data.values.length > 60 ? 0 : 3,
          tension: 0.2,
        },
      ],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      interaction: { mode: "index", intersect: false },
      scales: {
        x: { ticks: { maxTicksLimit: 12, autoSkip: true } },
        y: { suggestedMin: low - pad, suggestedMax: high + pad },
      },
      plugins: { legend: { position: "bottom" } },
    },
    plugins: [referenceLines],
  });
})();
