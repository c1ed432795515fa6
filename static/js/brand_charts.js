/* Brand portal charts: draws every <canvas data-cz-chart="ID"> from the JSON in the
   <script id="ID" type="application/json"> beside it (Django's json_script), with the vendored
   Chart.js. Without JavaScript (or if Chart.js failed to load) the canvas stays hidden and
   the table stays open; once a chart is drawn its table folds into "Show as a table". */
(function () {
  "use strict";

  var COLOURS = ["#6d28d9", "#0ea5e9", "#f97316", "#16a34a", "#e11d48", "#64748b"];

  function readConfig(id) {
    var node = document.getElementById(id);
    if (!node) { return null; }
    try { return JSON.parse(node.textContent); } catch (error) { return null; }
  }

  function datasetsOf(config) {
    var secondary = config.secondary || [];
    return config.datasets.map(function (dataset, index) {
      var colour = COLOURS[index % COLOURS.length];
      return {
        // Views run to thousands while redemptions are tens: views get the right-hand axis.
        yAxisID: secondary.indexOf(index) >= 0 ? "y1" : "y",
        label: dataset.label,
        data: dataset.data.map(Number),
        borderColor: colour,
        backgroundColor: config.type === "bar" ? colour : colour + "22",
        borderWidth: 2,
        pointRadius: config.labels.length > 45 ? 0 : 2,
        tension: 0.25,
        fill: false
      };
    });
  }

  function aspectOf(canvas, config, narrow) {
    if (config.type !== "bar") { return narrow ? 1.2 : 2; }
    // Horizontal bars: about 36 pixels a bar, whatever the width.
    var width = canvas.parentNode.clientWidth || 600;
    return Math.max(0.6, width / (config.labels.length * 36 + 90));
  }

  function draw(canvas) {
    var id = canvas.getAttribute("data-cz-chart");
    var config = readConfig(id);
    if (!config || !window.Chart) { return; }
    canvas.hidden = false;
    var narrow = window.matchMedia("(max-width: 575.98px)").matches;
    var scales = {
      x: { ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: narrow ? 5 : 10 } },
      y: { beginAtZero: true }
    };
    if (config.secondary && config.secondary.length) {
      scales.y1 = { beginAtZero: true, position: "right", grid: { drawOnChartArea: false } };
    }
    new window.Chart(canvas, {
      type: config.type,
      data: { labels: config.labels, datasets: datasetsOf(config) },
      options: {
        responsive: true,
        aspectRatio: aspectOf(canvas, config, narrow),
        indexAxis: config.type === "bar" ? "y" : "x",
        interaction: { mode: "index", intersect: false },
        // Figures, not a show: drawn at once (and nothing moves for people who asked for less).
        animation: false,
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
        scales: scales
      }
    });
    var table = document.querySelector('[data-cz-chart-table="' + id + '"]');
    if (table) { table.open = false; }
  }

  function start() {
    document.querySelectorAll("canvas[data-cz-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
