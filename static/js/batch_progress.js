// Batch page: poll the progress while the batch computes, then reload to show the summary.
(function () {
  "use strict";
  const box = document.getElementById("batch-progress");
  if (!box || box.dataset.running !== "1") return;
  const bar = box.querySelector("[data-role=bar]");
  const count = box.querySelector("[data-role=count]");
  const label = box.querySelector("[data-role=label]");
  const progress = box.querySelector(".progress");
  const badge = document.querySelector("[data-batch-status]");
  let failures = 0;
  function show(data) {
    const percent = Math.max(0, Math.min(100, Number(data.percent) || 0));
    bar.className = bar.className.replace(/\bprogress-w-\d+\b/, "progress-w-" + percent);
    bar.textContent = percent + "%";
    progress.setAttribute("aria-valuenow", String(percent));
    count.textContent = data.done + " / " + data.total;
    if (badge && data.status_label) {
      badge.textContent = data.status_label;
      badge.className = badge.className.replace(/\bbatch-(?!status\b)[a-z]+\b/, "batch-" + data.status);
    }
  }
  function poll() {
    fetch(box.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        return r.json();
      })
      .then(function (data) {
        failures = 0;
        show(data);
        if (data.status === "pending" || data.status === "running") {
          window.setTimeout(poll, 1000);
        } else {
          label.textContent = data.status_label;
          window.location.reload();
        }
      })
      .catch(function () {
        failures += 1;
        // The server or the network is away: keep trying, more slowly, and say so after a while.
        if (failures === 3) label.textContent = box.dataset.offline || label.textContent;
        window.setTimeout(poll, Math.min(30000, 3000 * failures));
      });
  }
  window.setTimeout(poll, 500);
})();
