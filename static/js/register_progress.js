// Register import page: poll while the file is checked or committed, then reload to show the summary.
(function () {
  "use strict";
  const box = document.getElementById("register-progress");
  if (!box) return;
  const count = box.querySelector("[data-role=count]");
  const label = box.querySelector("[data-role=label]");
  let failures = 0;
  function poll() {
    fetch(box.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        return r.json();
      })
      .then(function (data) {
        failures = 0;
        count.textContent = String(data.rows);
        if (data.status === "checking" || (data.status === "approved" && !data.error)) {
          window.setTimeout(poll, 1000);
        } else {
          label.textContent = data.status_label;
          window.location.reload();
        }
      })
      .catch(function () {
        failures += 1;
        if (failures === 3) label.textContent = box.dataset.offline || label.textContent;
        window.setTimeout(poll, Math.min(30000, 3000 * failures));
      });
  }
  window.setTimeout(poll, 500);
})();
