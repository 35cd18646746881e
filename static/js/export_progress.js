// 「我的导出」 and a batch's payee freeze: poll while a file is written or payees are frozen, then reload.
(function () {
  "use strict";
  function setBar(bar, percent) {
    percent = Math.max(0, Math.min(100, Number(percent) || 0));
    bar.className = bar.className.replace(/\bprogress-w-\d+\b/, "progress-w-" + percent);
    bar.textContent = percent + "%";
    if (bar.parentNode) bar.parentNode.setAttribute("aria-valuenow", String(percent));
  }
  function poll(url, onData) {
    let failures = 0;
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) {
          if (!r.ok) throw new Error(String(r.status));
          return r.json();
        })
        .then(function (data) {
          failures = 0;
          if (onData(data)) window.setTimeout(tick, 1500);
        })
        .catch(function () {
          failures += 1;
          window.setTimeout(tick, Math.min(30000, 3000 * failures));
        });
    }
    window.setTimeout(tick, 1000);
  }
  const list = document.getElementById("export-jobs");
  if (list && list.dataset.writing === "1") {
    poll(list.dataset.url, function (data) {
      let changed = false;
      data.jobs.forEach(function (job) {
        const row = list.querySelector('[data-job="' + job.id + '"]');
        if (!row) return;
        if (row.dataset.status !== job.status && (job.status === "done" || job.status === "failed")) changed = true;
        const bar = row.querySelector("[data-role=bar]");
        if (bar) setBar(bar, job.percent);
      });
      if (changed) window.location.reload();
      return !changed;
    });
  }
  const freeze = document.getElementById("batch-freeze");
  if (freeze && freeze.dataset.freezing === "1") {
    const bar = freeze.querySelector("[data-role=bar]");
    const count = freeze.querySelector("[data-role=count]");
    poll(freeze.dataset.url, function (data) {
      setBar(bar, data.freeze_percent);
      if (count) count.textContent = data.freeze_done + " / " + data.freeze_total;
      if (data.freeze !== "queued" && data.freeze !== "running") {
        window.location.reload();
        return false;
      }
      return true;
    });
  }
})();
