/* The operators' dashboard (/admin/): draws every <canvas data-cz-chart="ID"> from the JSON in
   the <script id="ID" type="application/json"> beside it (Django's json_script), with the
   vendored Chart.js. Without JavaScript (or if Chart.js failed to load) the canvas stays hidden
   and the table stays open; once a chart is drawn its table folds into "Show as a table".
   Text and grid colours come from the admin's own CSS variables, so the charts follow its light
   and dark themes, and are redrawn when the theme toggle changes it. */
(function () {
  "use strict";

  // Readable on the admin's light and dark backgrounds alike.
  var COLOURS = ["#2563eb", "#16a34a", "#dc2626", "#d97706", "#7c3aed", "#0891b2"];
  var charts = [];

  function readConfig(id) {
    var node = document.getElementById(id);
    if (!node) { return null; }
    try { return JSON.parse(node.textContent); } catch (error) { return null; }
  }

  function themeColours() {
    var style = getComputedStyle(document.documentElement);
    function read(name, fallback) { return style.getPropertyValue(name).trim() || fallback; }
    return { text: read("--body-quiet-color", "#666"), grid: read("--hairline-color", "#e8e8e8") };
  }

  var rupees = new Intl.NumberFormat(document.documentElement.lang || "en-IN", {
    style: "currency", currency: "INR", maximumFractionDigits: 0
  });
  var counts = new Intl.NumberFormat(document.documentElement.lang || "en-IN");
  // Axis ticks in short form (₹2.5L, 40K), so they stay level on a phone.
  var shortRupees = new Intl.NumberFormat(document.documentElement.lang || "en-IN", {
    style: "currency", currency: "INR", notation: "compact", maximumFractionDigits: 1
  });
  var shortCounts = new Intl.NumberFormat(document.documentElement.lang || "en-IN", {
    notation: "compact", maximumFractionDigits: 1
  });

  function datasetsOf(config) {
    return config.datasets.map(function (dataset, index) {
      var colour = COLOURS[index % COLOURS.length];
      var bar = config.type === "bar";
      return {
        yAxisID: bar ? undefined : (config.secondary.indexOf(index) >= 0 ? "y1" : "y"),
        xAxisID: bar ? "x" : undefined,
        label: dataset.label,
        data: dataset.data.map(Number),
        money: dataset.money,
        borderColor: colour,
        backgroundColor: bar ? colour + "cc" : colour + "22",
        borderWidth: 2,
        borderRadius: bar ? 3 : 0,
        pointRadius: config.labels.length > 45 ? 0 : 2,
        tension: 0.25,
        fill: false
      };
    });
  }

  function tickFormatter(money, log) {
    return function (value) {
      // A log axis is labelled at 1, 10, 100 ... only: its other ticks would crowd together.
      if (log && Math.log10(value) % 1 !== 0) { return ""; }
      return (money ? shortRupees : shortCounts).format(value);
    };
  }

  function axisIsMoney(config, axis) {
    var secondary = config.secondary || [];
    return config.datasets.some(function (dataset, index) {
      var onRight = secondary.indexOf(index) >= 0;
      return dataset.money && (axis === "y1" ? onRight : !onRight);
    });
  }

  // The colour of the one line an axis measures (left "y" or right "y1"), or the text colour
  // when it measures several: a titled axis in its line's colour says which line reads on it.
  function axisColour(config, axis, colours) {
    var secondary = config.secondary || [];
    var onAxis = [];
    config.datasets.forEach(function (dataset, index) {
      if ((secondary.indexOf(index) >= 0) === (axis === "y1")) { onAxis.push(index); }
    });
    return onAxis.length === 1 ? COLOURS[onAxis[0] % COLOURS.length] : colours.text;
  }

  function axisTitle(config, axis, colours) {
    var text = (config.axisTitles || [])[axis === "y1" ? 1 : 0];
    if (!text) { return { display: false }; }
    return {
      display: true, text: text, color: axisColour(config, axis, colours),
      font: { weight: "bold" }
    };
  }

  function optionsOf(config, colours, narrow) {
    var bar = config.type === "bar";
    var scales = {};
    var valueAxis = bar ? "x" : "y";
    var labelAxis = bar ? "y" : "x";
    scales[labelAxis] = {
      ticks: { color: colours.text, autoSkip: !bar, maxRotation: 0, maxTicksLimit: narrow ? 5 : 10 },
      grid: { color: colours.grid, display: !bar }
    };
    scales[valueAxis] = {
      // A funnel's steps differ a thousandfold: on a log scale each step stays visible.
      type: config.log ? "logarithmic" : "linear",
      beginAtZero: !config.log,
      min: config.log ? 1 : undefined,
      ticks: {
        color: colours.text,
        maxRotation: 0,
        maxTicksLimit: config.log ? undefined : (narrow ? 4 : 7),
        callback: tickFormatter(axisIsMoney(config, "y"), config.log)
      },
      title: bar ? { display: false } : axisTitle(config, "y", colours),
      grid: { color: colours.grid }
    };
    if (!bar && config.secondary.length) {
      scales.y1 = {
        beginAtZero: true,
        position: "right",
        ticks: {
          color: colours.text,
          maxTicksLimit: narrow ? 4 : 7,
          callback: tickFormatter(axisIsMoney(config, "y1"))
        },
        title: axisTitle(config, "y1", colours),
        grid: { drawOnChartArea: false }
      };
    }
    return {
      responsive: true,
      maintainAspectRatio: false,
      indexAxis: bar ? "y" : "x",
      interaction: { mode: "index", intersect: false },
      // Figures, not a show: drawn at once.
      animation: false,
      plugins: {
        legend: {
          display: config.datasets.length > 1,
          position: "bottom",
          labels: { boxWidth: 12, color: colours.text }
        },
        tooltip: {
          callbacks: {
            label: function (item) {
              var format = item.dataset.money ? rupees : counts;
              return item.dataset.label + ": " + format.format(item.parsed[bar ? "x" : "y"]);
            }
          }
        }
      },
      scales: scales
    };
  }

  function draw(canvas) {
    var id = canvas.getAttribute("data-cz-chart");
    var config = readConfig(id);
    if (!config || !window.Chart) { return; }
    canvas.hidden = false;
    if (config.type === "bar") {
      // About 30 pixels a bar, whatever the width.
      canvas.parentNode.style.height = Math.max(160, config.labels.length * 30 + 60) + "px";
    }
    var narrow = window.matchMedia("(max-width: 767px)").matches;
    charts.push({
      config: config,
      chart: new window.Chart(canvas, {
        type: config.type,
        data: { labels: config.labels, datasets: datasetsOf(config) },
        options: optionsOf(config, themeColours(), narrow)
      })
    });
    var table = document.querySelector('[data-cz-chart-table="' + id + '"]');
    if (table) { table.open = false; }
  }

  function recolour() {
    var colours = themeColours();
    var narrow = window.matchMedia("(max-width: 767px)").matches;
    charts.forEach(function (drawn) {
      drawn.chart.options = optionsOf(drawn.config, colours, narrow);
      drawn.chart.update("none");
    });
  }

  function start() {
    document.querySelectorAll("canvas[data-cz-chart]").forEach(draw);
    // The admin's theme toggle sets data-theme on <html>; the system may switch too.
    new MutationObserver(recolour).observe(document.documentElement, {
      attributes: true, attributeFilter: ["data-theme"]
    });
    if (window.matchMedia) {
      var dark = window.matchMedia("(prefers-color-scheme: dark)");
      if (dark.addEventListener) { dark.addEventListener("change", recolour); }
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
