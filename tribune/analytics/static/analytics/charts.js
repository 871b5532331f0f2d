/* Tribune's dashboards: draws each chart from the JSON its page carries.

   A chart is a <div data-chart="ID"> next to <script type="application/json" id="ID">
   (Django's json_script), so pages hold no inline script. The canvas is drawn for the
   people who can see it; its label points to the table of the same figures, which
   every chart has, inside a <details> below it. Without JavaScript the tables remain. */
(function () {
  "use strict";

  if (typeof window.Chart === "undefined") { return; }

  // Okabe–Ito: told apart with the common colour-vision deficiencies.
  const palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];
  const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  const locale = document.documentElement.lang || undefined;

  function number(value, percent) {
    if (value === null || value === undefined) { return "—"; }
    const text = Number(value).toLocaleString(locale);
    return percent ? text + " %" : text;
  }

  function draw(box) {
    const source = document.getElementById(box.dataset.chart);
    if (!source) { return; }
    const spec = JSON.parse(source.textContent);
    const canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", spec.title + ". " + spec.hint);
    canvas.textContent = spec.hint;
    box.appendChild(canvas);
    const line = spec.type === "line";
    const datasets = spec.datasets.map(function (dataset, i) {
      const colour = palette[i % palette.length];
      return {
        label: dataset.label,
        data: dataset.data,
        borderColor: colour,
        backgroundColor: colour,
        borderWidth: 2,
        pointRadius: line && spec.labels.length > 45 ? 0 : 3,
        spanGaps: true,
      };
    });
    new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: reducedMotion ? false : undefined,
        locale: locale,
        interaction: { mode: "index", intersect: false },
        plugins: {
          title: { display: true, text: spec.title },
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (item) {
                return item.dataset.label + ": " + number(item.raw, spec.percent);
              },
            },
          },
        },
        scales: {
          y: {
            beginAtZero: !line,
            ticks: { callback: function (value) { return number(value, spec.percent); } },
          },
        },
      },
    });
  }

  document.querySelectorAll("[data-chart]").forEach(draw);
})();
