// Batch page: poll the progress while the batch computes, then reload to show the summary.
(function () {
  "use strict";
  const box = document.getElementById("batch-progress");
  if (!box || box.dataset.running !== "1") return;
  const bar = box.querySelector("[data-role=bar]");
  const count = box.querySelector("[data-role=count]");
  const label = box.querySelector("[data-role=label]");
  function poll() {
    fetch(box.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        bar.style.width = data.percent + "%";
        bar.textContent = data.percent + "%";
        box.querySelector(".progress").setAttribute("aria-valuenow", data.percent);
        count.textContent = data.done + " / " + data.total;
        if (data.status === "pending" || data.status === "running") {
          window.setTimeout(poll, 1000);
        } else {
          label.textContent = data.status_label;
          window.location.reload();
        }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
